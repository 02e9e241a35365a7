namespace Serverless.Lambda.Runtime;

/// <summary>What Lambda tells a function about the invocation it is serving.</summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }
    string? InvokedFunctionArn { get; }

    /// <summary>The X-Ray trace header (<c>Root=...;Parent=...;Sampled=...</c>), when tracing passes one.</summary>
    string? TraceId { get; }

    DateTimeOffset Deadline { get; }

    /// <summary>Time left before Lambda stops the invocation; measured on each read.</summary>
    TimeSpan RemainingTime { get; }

    string? FunctionName { get; }
    string? FunctionVersion { get; }
    int MemoryLimitInMB { get; }
    string? LogGroupName { get; }
    string? LogStreamName { get; }

    /// <summary>Raw JSON of the mobile client context, when the caller sent one.</summary>
    string? ClientContext { get; }

    /// <summary>Raw JSON of the Cognito identity, when the caller had one.</summary>
    string? CognitoIdentity { get; }
}
