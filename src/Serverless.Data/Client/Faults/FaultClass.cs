namespace Serverless.Data.Client.Faults;

/// <summary>The failures <see cref="FaultInjectingHandler"/> can put in place of a call, as the SDK sees each.</summary>
public enum FaultClass
{
    /// <summary>HTTP 400 <c>ProvisionedThroughputExceededException</c> (DynamoDB's and its streams' throttle); nothing sent.</summary>
    ProvisionedThroughputExceeded,

    /// <summary>HTTP 400 <c>ThrottlingException</c> (the control plane's and KMS's throttle); nothing sent.</summary>
    Throttling,

    /// <summary>HTTP 500 <c>InternalServerError</c>; nothing sent.</summary>
    InternalServerError,

    /// <summary>What HttpClient throws when its timeout passes before a response: a TaskCanceledException around a TimeoutException; nothing sent.</summary>
    Timeout,

    /// <summary>The connection reset before the request went out: an HttpRequestException around an IOException around a SocketException; nothing sent.</summary>
    ConnectionReset,

    /// <summary>The request reaches the service and is applied; its response is dropped and the caller sees a connection reset.</summary>
    AppliedButLost,
}
