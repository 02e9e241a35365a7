using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Serverless.Data.Client;

/// <summary>
/// The data layer's one meter and one activity source, both named <see cref="Name"/>: the DynamoDB and KMS calls
/// measure and trace through them. Hosts pick them up by name (the Lambda layer listens to every <c>Serverless.*</c>
/// source), so the data layer knows nothing of EMF or X-Ray.
/// </summary>
public static class DataDiagnostics
{
    public const string Name = "Serverless.Data";

    internal static readonly Meter Meter = new(Name);

    /// <summary>A span per AWS call; <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null (and costs
    /// next to nothing) while no listener samples it.</summary>
    internal static readonly ActivitySource Source = new(Name);
}

/// <summary>
/// The tags of a span around an AWS call. The <c>rpc.*</c>, <c>http.*</c> and <c>error.type</c> names are
/// OpenTelemetry's semantic conventions for AWS SDK calls, so an OpenTelemetry exporter reads them as it reads any SDK
/// span; the rest are the project's. Every value is a name from a closed set, a count or an AWS request id: never a
/// key, an item value, an expression value, a KMS key id, a ciphertext or an encryption context.
/// </summary>
public static class AwsSpanTags
{
    public const string System = "rpc.system";

    /// <summary>The value of <see cref="System"/> for an AWS SDK call.</summary>
    public const string AwsApi = "aws-api";

    public const string Service = "rpc.service";
    public const string Method = "rpc.method";
    public const string Region = "cloud.region";
    public const string RequestId = "aws.request_id";
    public const string StatusCode = "http.response.status_code";
    public const string ErrorType = "error.type";

    /// <summary>Attempts the SDK retried (DynamoDB calls; see docs/observability.md for KMS).</summary>
    public const string Retries = "aws.retries";

    /// <summary>True when the call failed because AWS throttled it.</summary>
    public const string Throttled = "aws.throttled";

    /// <summary>The tables a DynamoDB call names (a string array, as OpenTelemetry's <c>aws.dynamodb.table_names</c>).</summary>
    public const string TableNames = "aws.dynamodb.table_names";

    /// <summary>The table's index a Query or Scan reads, when it reads one (one of the table's index names).</summary>
    public const string IndexName = "aws.dynamodb.index_name";

    public const string ConsumedReadCapacity = "aws.dynamodb.consumed_read_capacity";
    public const string ConsumedWriteCapacity = "aws.dynamodb.consumed_write_capacity";
}
