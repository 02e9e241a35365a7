using System.Globalization;

namespace Serverless.Data.Client.Faults;

/// <summary>
/// Which faults <see cref="FaultInjectingHandler"/> injects: a rate (0 to 1) per class, at most 1 in all, drawn from
/// a seeded generator so a run can be repeated; and the operations (<c>X-Amz-Target</c> values such as
/// <c>DynamoDB_20120810.TransactWriteItems</c>) they apply to, every request when none are named.
/// </summary>
public sealed record FaultOptions
{
    public IReadOnlyDictionary<FaultClass, double> Rates { get; init; } = new Dictionary<FaultClass, double>();

    public int Seed { get; init; }

    /// <summary>No more faults after this many (null: no limit): a test of one fault and what follows it.</summary>
    public int? MaxFaults { get; init; }

    /// <summary>Full <c>X-Amz-Target</c> values; empty for every request.</summary>
    public IReadOnlySet<string> Operations { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>One class at one rate (the shape most tests need).</summary>
    public static FaultOptions Only(FaultClass fault, double rate, int seed = 0, params string[] operations) => new()
    {
        Rates = new Dictionary<FaultClass, double> { [fault] = rate },
        Seed = seed,
        Operations = new HashSet<string>(operations, StringComparer.Ordinal),
    };

    /// <exception cref="ArgumentException">A rate outside 0 to 1, a class not defined, or rates adding up to more than 1.</exception>
    public void Validate()
    {
        foreach (var (fault, rate) in Rates)
        {
            if (!Enum.IsDefined(fault))
            {
                throw new ArgumentException($"Not a fault class: {(int)fault}.", nameof(Rates));
            }

            if (double.IsNaN(rate) || rate is < 0 or > 1)
            {
                throw new ArgumentException($"The rate of {fault} must be from 0 to 1; got {rate.ToString(CultureInfo.InvariantCulture)}.", nameof(Rates));
            }
        }

        if (MaxFaults is < 0)
        {
            throw new ArgumentException($"The most faults must be 0 or more; got {MaxFaults}.", nameof(MaxFaults));
        }

        // A little slack for rates such as 0.1 + 0.2 + 0.7 that do not add up to 1 exactly in binary.
        if (Rates.Values.Sum() > 1 + 1e-9)
        {
            throw new ArgumentException("The rates add up to more than 1.", nameof(Rates));
        }
    }

    /// <summary>
    /// Reads a spec such as <c>throttle=0.2,lost=0.1,seed=7,ops=DynamoDB_20120810.TransactWriteItems+DynamoDB_20120810.PutItem</c>
    /// (for a host that takes faults from its settings: <c>serve --faults</c>, <see cref="DynamoDbClients.FaultsVariable"/>). Class names: <c>throughput</c>, <c>throttle</c>,
    /// <c>500</c>, <c>timeout</c>, <c>reset</c>, <c>lost</c>.
    /// </summary>
    /// <exception cref="FormatException">An unknown name, a value that is not a number, or a rate out of range.</exception>
    public static FaultOptions Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rates = new Dictionary<FaultClass, double>();
        var seed = 0;
        var operations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"Expected name=value in the fault spec; got '{part}'.");
            }

            var (name, value) = (part[..equals].Trim(), part[(equals + 1)..].Trim());
            switch (name)
            {
                case "seed":
                    seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                        ? s : throw new FormatException($"The fault seed must be an integer; got '{value}'.");
                    break;
                case "ops":
                    operations.UnionWith(value.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                default:
                    var fault = ClassNamed(name) ?? throw new FormatException($"Unknown fault '{name}' (throughput, throttle, 500, timeout, reset, lost, seed, ops).");
                    rates[fault] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate)
                        ? rate : throw new FormatException($"The rate of '{name}' must be a number; got '{value}'.");
                    break;
            }
        }

        var options = new FaultOptions { Rates = rates, Seed = seed, Operations = operations };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }

        return options;
    }

    private static FaultClass? ClassNamed(string name) => name switch
    {
        "throughput" => FaultClass.ProvisionedThroughputExceeded,
        "throttle" => FaultClass.Throttling,
        "500" => FaultClass.InternalServerError,
        "timeout" => FaultClass.Timeout,
        "reset" => FaultClass.ConnectionReset,
        "lost" => FaultClass.AppliedButLost,
        _ => null,
    };
}
