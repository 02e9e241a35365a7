namespace Serverless.Data.Client;

/// <summary>
/// The DynamoDB capacity one unit of work consumed (an API request, a stream batch): every call made under the scope,
/// in any task it started, adds its consumed read and write units here. Begin one per unit of work; scopes nest (the
/// inner one's calls count in the outer one too).
/// </summary>
public sealed class ConsumedCapacityScope : IDisposable
{
    private static readonly AsyncLocal<ConsumedCapacityScope?> CurrentScope = new();

    private readonly ConsumedCapacityScope? _outer;
    private readonly Lock _gate = new();
    private double _read;
    private double _write;
    private int _calls;

    private ConsumedCapacityScope(ConsumedCapacityScope? outer) => _outer = outer;

    /// <summary>The innermost scope of the current flow, if any.</summary>
    public static ConsumedCapacityScope? Current => CurrentScope.Value;

    public static ConsumedCapacityScope Begin()
    {
        var scope = new ConsumedCapacityScope(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    public double ReadCapacityUnits
    {
        get
        {
            lock (_gate)
            {
                return _read;
            }
        }
    }

    public double WriteCapacityUnits
    {
        get
        {
            lock (_gate)
            {
                return _write;
            }
        }
    }

    /// <summary>DynamoDB calls made under the scope (each retry inside a call is not a call of its own).</summary>
    public int Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls;
            }
        }
    }

    internal static void Record(double read, double write)
    {
        for (var scope = CurrentScope.Value; scope is not null; scope = scope._outer)
        {
            lock (scope._gate)
            {
                scope._read += read;
                scope._write += write;
                scope._calls++;
            }
        }
    }

    public void Dispose()
    {
        if (CurrentScope.Value == this)
        {
            CurrentScope.Value = _outer;
        }
    }
}
