using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Tests.Support;

internal sealed class TestEnvironment(Dictionary<string, string?>? variables = null) : IRuntimeEnvironment
{
    private readonly Dictionary<string, string?> variables = variables ?? [];

    public string? GetVariable(string name) => variables.GetValueOrDefault(name);

    public void SetVariable(string name, string? value) => variables[name] = value;
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
