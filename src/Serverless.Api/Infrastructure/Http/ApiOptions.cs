namespace Serverless.Api.Infrastructure.Http;

/// <summary>HTTP behaviour of the API (configuration section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// Largest request body accepted (413 above it). 128 KiB holds the largest valid input (a user with every map and
    /// address at its limit, a 10,000-character comment) many times over and keeps items far below DynamoDB's 400 KB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 128 * 1024;

    /// <summary>
    /// Longest request target (path and query, as sent) accepted (414 above it). 8 KiB is Kestrel's own request-line
    /// limit; Kestrel's is raised to twice this so that ours answers first, with a problem, on every host.
    /// </summary>
    public int MaxRequestTargetBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// Largest total of request header lines accepted (431 above it). 32 KiB is Kestrel's own default; Kestrel's is
    /// raised to twice this so that ours answers first, with a problem, on every host.
    /// </summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// PATCH and DELETE without If-Match are refused with 428 Precondition Required (RFC 6585), so a client cannot
    /// overwrite a change it never saw by forgetting the header. Turn off to allow unconditional writes.
    /// </summary>
    public bool RequireIfMatch { get; set; } = true;

    /// <summary>
    /// The access line, the request metrics and the correlation id of every request (<c>RequestTelemetryMiddleware</c>).
    /// On in every deployment; off only to measure what it costs (the benchmark's baseline, bench/README.md).
    /// </summary>
    public bool RequestTelemetry { get; set; } = true;

    /// <summary>Serve the API reference page (Scalar) at /scalar; off on Lambda, where it is not wanted.</summary>
    public bool? ServeApiReference { get; set; }
}
