using System.Diagnostics;
using System.Diagnostics.Metrics;
using Amazon.Runtime;
using Serverless.Data.Client;

namespace Serverless.Data.Privacy;

/// <summary>
/// What every KMS call of <see cref="KmsRootKey"/> (the only code that calls KMS) reports, as the DynamoDB calls do:
/// its latency, a request and, when it fails, an error, per operation, on the data layer's meter; and a span
/// <c>KMS.&lt;Operation&gt;</c>. The one dimension is the operation's name from <see cref="Operations"/>: never the key
/// id, the ciphertext or a value of the encryption context (those show in CloudTrail, beside each call, already).
/// </summary>
public static class KmsTelemetry
{
    public const string OperationDimension = DynamoDbTelemetry.OperationDimension;

    public const string LatencyMetric = "KmsLatency";
    public const string RequestsMetric = "KmsRequests";
    public const string ErrorsMetric = "KmsErrors";

    public const string GenerateDataKey = "GenerateDataKey";
    public const string Decrypt = "Decrypt";
    public const string Other = "Other";

    private const string Service = "KMS";

    internal static readonly Histogram<double> Latency = DataDiagnostics.Meter.CreateHistogram<double>(LatencyMetric, "Milliseconds");
    internal static readonly Counter<long> Requests = DataDiagnostics.Meter.CreateCounter<long>(RequestsMetric, "Count");
    internal static readonly Counter<long> Errors = DataDiagnostics.Meter.CreateCounter<long>(ErrorsMetric, "Count");

    /// <summary>The KMS operations the project calls (any other is reported as <see cref="Other"/>).</summary>
    public static IReadOnlyCollection<string> Operations { get; } = [GenerateDataKey, Decrypt, Other];

    /// <summary>The dimension with its values, for the metric vocabulary of a function that uses the keyring.</summary>
    public static IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions => [new(OperationDimension, Operations)];

    private static readonly Dictionary<string, string> SpanNames =
        Operations.ToDictionary(o => o, o => Service + "." + o, StringComparer.Ordinal);

    /// <summary>Runs one KMS call, measured and traced; its outcome (answer or exception) is the caller's unchanged.</summary>
    internal static async Task<T> CallAsync<T>(string operation, string? region, Func<Task<T>> call)
        where T : AmazonWebServiceResponse
    {
        if (!SpanNames.TryGetValue(operation, out var spanName))
        {
            operation = Other;
            spanName = SpanNames[Other];
        }

        var tags = new TagList { { OperationDimension, operation } };
        using var span = DataDiagnostics.Source.StartActivity(spanName, ActivityKind.Client);
        if (span is not null)
        {
            span.SetTag(AwsSpanTags.System, AwsSpanTags.AwsApi);
            span.SetTag(AwsSpanTags.Service, Service);
            span.SetTag(AwsSpanTags.Method, operation);
            span.SetTag(AwsSpanTags.Region, region);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            var response = await call().ConfigureAwait(false);
            span?.SetTag(AwsSpanTags.RequestId, response.ResponseMetadata?.RequestId);
            span?.SetTag(AwsSpanTags.StatusCode, (int)response.HttpStatusCode);
            return response;
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException)
            {
                Errors.Add(1, tags);
            }

            if (span is not null)
            {
                span.SetTag(AwsSpanTags.ErrorType, e.GetType().Name);
                if (e is AmazonServiceException service)
                {
                    span.SetTag(AwsSpanTags.RequestId, service.RequestId);
                    span.SetTag(AwsSpanTags.StatusCode, (int)service.StatusCode);
                    if (service.ErrorCode is "ThrottlingException")
                    {
                        span.SetTag(AwsSpanTags.Throttled, true);
                    }
                }

                // The type only: a KMS error's message can name the key.
                span.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            }

            throw;
        }
        finally
        {
            Latency.Record(clock.Elapsed.TotalMilliseconds, tags);
            Requests.Add(1, tags);
        }
    }
}
