using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Logging;

public sealed class LambdaJsonLoggerOptions
{
    /// <summary>Where lines go; standard output by default, which Lambda ships to CloudWatch Logs.</summary>
    public Stream? Output { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Source of <c>SERVICE_NAME</c> and <c>AWS_LAMBDA_FUNCTION_NAME</c>.</summary>
    public IRuntimeEnvironment Environment { get; set; } = ProcessEnvironment.Instance;
}
