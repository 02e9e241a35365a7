namespace Serverless.Lambda.Runtime;

public sealed class LambdaContext(TimeProvider clock) : ILambdaContext
{
    public required string AwsRequestId { get; init; }
    public string? InvokedFunctionArn { get; init; }
    public string? TraceId { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public TimeSpan RemainingTime => Deadline - clock.GetUtcNow();
    public string? FunctionName { get; init; }
    public string? FunctionVersion { get; init; }
    public int MemoryLimitInMB { get; init; }
    public string? LogGroupName { get; init; }
    public string? LogStreamName { get; init; }
    public string? ClientContext { get; init; }
    public string? CognitoIdentity { get; init; }

    /// <summary>
    /// A context for running a function outside Lambda (local invoke, stream emulator, tests), with the
    /// function settings taken from the environment as Lambda would.
    /// </summary>
    public static LambdaContext ForLocalInvocation(
        IRuntimeEnvironment environment, TimeProvider clock, TimeSpan timeout, string? requestId = null)
    {
        var settings = FunctionSettings.From(environment);
        return new LambdaContext(clock)
        {
            AwsRequestId = requestId ?? Guid.NewGuid().ToString(),
            Deadline = clock.GetUtcNow() + timeout,
            FunctionName = settings.FunctionName,
            FunctionVersion = settings.FunctionVersion,
            MemoryLimitInMB = settings.MemoryLimitInMB,
            LogGroupName = settings.LogGroupName,
            LogStreamName = settings.LogStreamName,
        };
    }
}
