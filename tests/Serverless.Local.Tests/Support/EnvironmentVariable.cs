namespace Serverless.Local.Tests.Support;

/// <summary>
/// Sets a process-wide environment variable until disposed, then puts back what was there. Only for tests in the
/// non-parallel <c>EnvironmentChangingTests</c> collection: every other test would see the change too.
/// </summary>
internal sealed class EnvironmentVariable : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentVariable(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
