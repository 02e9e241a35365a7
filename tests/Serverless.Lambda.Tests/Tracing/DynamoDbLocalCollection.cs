using Serverless.Testing;

namespace Serverless.Lambda.Tests.Tracing;

/// <summary>
/// The tracing tests that call DynamoDB Local share one, and run one after another: the trace header test sets the
/// process's own environment, which the AWS SDK reads.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DynamoDbLocalCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "Tracing against DynamoDB Local";
}
