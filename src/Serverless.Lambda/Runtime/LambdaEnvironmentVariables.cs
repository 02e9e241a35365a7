namespace Serverless.Lambda.Runtime;

/// <summary>Names of the variables Lambda sets for a custom runtime (public Lambda documentation).</summary>
public static class LambdaEnvironmentVariables
{
    /// <summary>host:port of the Runtime API; its presence means we run inside Lambda.</summary>
    public const string RuntimeApi = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>The function's Handler setting; here it names which function of the one executable runs.</summary>
    public const string Handler = "_HANDLER";

    /// <summary>Set per invocation from the Runtime API's trace header; the AWS SDK and X-Ray read it from here.</summary>
    public const string TraceId = "_X_AMZN_TRACE_ID";

    public const string FunctionName = "AWS_LAMBDA_FUNCTION_NAME";
    public const string FunctionVersion = "AWS_LAMBDA_FUNCTION_VERSION";
    public const string FunctionMemorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";
    public const string LogGroupName = "AWS_LAMBDA_LOG_GROUP_NAME";
    public const string LogStreamName = "AWS_LAMBDA_LOG_STREAM_NAME";
}

/// <summary>The per-function settings Lambda passes through the environment, read once at start.</summary>
public sealed record FunctionSettings(
    string? FunctionName,
    string? FunctionVersion,
    int MemoryLimitInMB,
    string? LogGroupName,
    string? LogStreamName)
{
    public static FunctionSettings From(IRuntimeEnvironment environment) => new(
        environment.GetVariable(LambdaEnvironmentVariables.FunctionName),
        environment.GetVariable(LambdaEnvironmentVariables.FunctionVersion),
        int.TryParse(environment.GetVariable(LambdaEnvironmentVariables.FunctionMemorySize), out var memory) ? memory : 0,
        environment.GetVariable(LambdaEnvironmentVariables.LogGroupName),
        environment.GetVariable(LambdaEnvironmentVariables.LogStreamName));
}
