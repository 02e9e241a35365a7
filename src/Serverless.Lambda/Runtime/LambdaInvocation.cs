namespace Serverless.Lambda.Runtime;

/// <summary>One event handed out by the Runtime API's next-invocation call.</summary>
public sealed record LambdaInvocation(
    string RequestId,
    ReadOnlyMemory<byte> Payload,
    DateTimeOffset Deadline,
    string? InvokedFunctionArn,
    string? TraceId,
    string? ClientContext,
    string? CognitoIdentity);
