namespace Serverless.Lambda.Runtime;

/// <summary>The process environment, behind an interface so tests can drive the runtime without touching the real one.</summary>
public interface IRuntimeEnvironment
{
    string? GetVariable(string name);

    void SetVariable(string name, string? value);
}

public sealed class ProcessEnvironment : IRuntimeEnvironment
{
    public static ProcessEnvironment Instance { get; } = new();

    private ProcessEnvironment()
    {
    }

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

    public void SetVariable(string name, string? value) => Environment.SetEnvironmentVariable(name, value);
}
