using Serverless.Data.Client;

namespace Serverless.Api.Infrastructure.Data;

/// <summary>Where the table lives (configuration section <c>DynamoDb</c>).</summary>
public sealed class DynamoDbOptions
{
    public const string Section = "DynamoDb";

    /// <summary>The local stack's variable for DynamoDB Local's endpoint; used when <see cref="ServiceUrl"/> is not set.</summary>
    public const string EndpointVariable = DynamoDbClients.EndpointVariable;

    /// <summary>
    /// An explicit endpoint (DynamoDB Local). Unset on AWS, where the SDK finds region and credentials in the
    /// Lambda environment.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Signing region for an explicit endpoint.</summary>
    public string Region { get; set; } = DynamoDbClients.DefaultRegion;

    /// <summary>A DynamoDB call slower than this writes one slow-operation line (its shape, never a value).</summary>
    public TimeSpan SlowOperationThreshold { get; set; } = DynamoDbTelemetry.DefaultSlowThreshold;

    public string? EffectiveServiceUrl =>
        string.IsNullOrWhiteSpace(ServiceUrl) ? Environment.GetEnvironmentVariable(EndpointVariable) : ServiceUrl;
}
