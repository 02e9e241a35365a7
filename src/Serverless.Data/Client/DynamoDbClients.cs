using System.Net;
using Amazon.Runtime;
using Serverless.Data.Client.Faults;

namespace Serverless.Data.Client;

/// <summary>
/// The one way every host (the API, the stream functions, the CLI) builds its DynamoDB client from configuration:
/// no endpoint on AWS (region and credentials from the Lambda environment), or an explicit endpoint such as DynamoDB
/// Local's.
/// </summary>
public static class DynamoDbClients
{
    /// <summary>The local stack's variable for DynamoDB Local's endpoint.</summary>
    public const string EndpointVariable = "DYNAMODB_ENDPOINT";

    public const string DefaultRegion = "us-east-1";

    /// <summary>
    /// A fault spec (<see cref="FaultOptions.Parse"/>) for every client made for a local endpoint while it is set: the
    /// local stack's <c>serve --faults</c> sets it for its API and stream functions. Never applied to any other endpoint.
    /// </summary>
    public const string FaultsVariable = "DYNAMODB_FAULTS";

    // DynamoDB Local takes any credentials (started with -sharedDb, every client sees the same tables); real ones are
    // never needed there, nor sent.
    private static readonly BasicAWSCredentials LocalCredentials = new("local", "local");

    /// <param name="serviceUrl">An explicit endpoint; null or blank for AWS's own.</param>
    /// <param name="region">The signing region for an explicit endpoint.</param>
    /// <param name="configure">Further settings of the client (timeouts, retries) for a host that needs others.</param>
    /// <param name="telemetry">Metrics, request cost and the slow-operation log of every call (<see cref="DynamoDbTelemetry"/>);
    /// metrics and cost only when not given.</param>
    public static IAmazonDynamoDB Create(
        string? serviceUrl, string? region = null, Action<AmazonDynamoDBConfig>? configure = null, DynamoDbTelemetry? telemetry = null)
    {
        telemetry ??= DynamoDbTelemetry.MetricsOnly;
        if (string.IsNullOrWhiteSpace(serviceUrl))
        {
            var defaults = new AmazonDynamoDBConfig();
            configure?.Invoke(defaults);
            return new InstrumentedDynamoDbClient(defaults, telemetry);
        }

        var endpoint = new Uri(serviceUrl.Trim(), UriKind.Absolute);
        var config = new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = region ?? DefaultRegion };
        configure?.Invoke(config);
        if (IsLocal(endpoint) && Environment.GetEnvironmentVariable(FaultsVariable) is { Length: > 0 } faults)
        {
            FaultInjection.Attach(config, FaultOptions.Parse(faults));
        }

        // Only a local endpoint gets the stand-in credentials; any other (a real service URL) uses the SDK's chain.
        return IsLocal(endpoint) ? new InstrumentedDynamoDbClient(LocalCredentials, config, telemetry) : new InstrumentedDynamoDbClient(config, telemetry);
    }

    /// <summary>Loopback, or the host as seen from a container (sam local's functions reach the local stack this way).</summary>
    public static bool IsLocal(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.IsLoopback
            || (IPAddress.TryParse(endpoint.Host, out var ip) && IPAddress.IsLoopback(ip))
            || endpoint.Host.Equals("host.docker.internal", StringComparison.OrdinalIgnoreCase);
    }
}
