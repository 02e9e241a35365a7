using System.Runtime.CompilerServices;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Tests.Tracing;

/// <summary>
/// This test process runs as a Lambda environment does in one respect: <c>AWS_LAMBDA_FUNCTION_NAME</c> is set before
/// the first AWS call. The AWS SDK (AWSSDK.Core 4.1) reads it once, when its marshaller is first used, to decide
/// whether it runs in Lambda; only then does it copy <c>_X_AMZN_TRACE_ID</c> into each request's trace header. Set
/// later (after DynamoDB Local's fixture has made its table), it would never be seen.
/// </summary>
internal static class LambdaProcess
{
    public const string FunctionName = "serverless-lambda-tests";

    [ModuleInitializer]
    internal static void NameTheFunction()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LambdaEnvironmentVariables.FunctionName)))
        {
            Environment.SetEnvironmentVariable(LambdaEnvironmentVariables.FunctionName, FunctionName);
        }
    }
}
