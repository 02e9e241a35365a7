using Serverless.Lambda.Runtime;

namespace Serverless.Testing.Lambda;

/// <summary>Environment variables for one test, without touching the process's.</summary>
public sealed class TestEnvironment(Dictionary<string, string?>? variables = null) : IRuntimeEnvironment
{
    private readonly Dictionary<string, string?> _variables = variables ?? [];

    public string? GetVariable(string name) => _variables.GetValueOrDefault(name);

    public void SetVariable(string name, string? value) => _variables[name] = value;

    /// <summary>The context of a local invocation: five minutes to run unless told otherwise.</summary>
    public static LambdaContext Context(TimeSpan? timeout = null, TimeProvider? clock = null) =>
        LambdaContext.ForLocalInvocation(new TestEnvironment(), clock ?? TimeProvider.System, timeout ?? TimeSpan.FromMinutes(5));
}
