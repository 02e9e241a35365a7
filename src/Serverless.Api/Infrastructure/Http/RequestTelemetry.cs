using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Buffers;
using Microsoft.AspNetCore.Routing.Patterns;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Data.Client;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// What every request reports: one access line (method, route template, status, duration, the caller's subject, the
/// DynamoDB capacity it consumed and the calls it made, its correlation id), and the metrics per route template and
/// status class: latency, count and consumed capacity. A request's correlation id is its <c>X-Correlation-Id</c>
/// when it sends a well-formed one, else the host's request id (API Gateway's on Lambda); it is echoed in the response
/// and carried by every log line written for the request. No path value, query, header or body is ever written.
/// </summary>
internal sealed partial class RequestTelemetryMiddleware(RequestDelegate next, ILogger<RequestTelemetryMiddleware> logger)
{
    public const string CorrelationHeader = "X-Correlation-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        // One object is both the logger scope and the state of the callback that echoes the id: no tuple boxed per request.
        var correlation = new CorrelationScope(CorrelationIdOf(context), context.Response);
        context.Response.OnStarting(static state => ((CorrelationScope)state).Echo(), correlation);

        using var logScope = logger.BeginScope(correlation);
        using var cost = ConsumedCapacityScope.Begin();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var route = RouteOf(context);
            var status = context.Response.StatusCode;
            var statusClass = RequestMetrics.StatusClassOf(status);
            RequestMetrics.Record(route, statusClass, elapsed, cost.ReadCapacityUnits, cost.WriteCapacityUnits);
            LogAccess(
                logger,
                context.Request.Method,
                route,
                status,
                Math.Round(elapsed.TotalMilliseconds, 3),
                SubjectOf(context),
                Math.Round(cost.ReadCapacityUnits, 3),
                Math.Round(cost.WriteCapacityUnits, 3),
                cost.Calls);
        }
    }

    /// <summary>The route template (never the path: it holds ids and could hold anything a client sends); "unmatched" for none.</summary>
    internal static string RouteOf(HttpContext context) =>
        // After a failure the exception handler has cleared the endpoint; its feature keeps the one that failed.
        (context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint)
            is RouteEndpoint { RoutePattern.RawText: { } template }
            ? RequestMetrics.Normalize(template)
            : RequestMetrics.Unmatched;

    private static string CorrelationIdOf(HttpContext context) =>
        context.Request.Headers[CorrelationHeader] is [{ } given] && IsIdentifier(given)
            ? given
            : context.TraceIdentifier;

    /// <summary>The token's subject when it is an identifier (a user id, a client id); anything else is not written.</summary>
    private static string? SubjectOf(HttpContext context) =>
        context.User.GetSubject() is { } subject ? (IsIdentifier(subject) ? subject : "(not an identifier)") : null;

    private static readonly SearchValues<char> IdentifierChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    /// <summary>1 to 128 of <c>[A-Za-z0-9._:-]</c>: what may be written as an id (checked on every request, so no regex).</summary>
    internal static bool IsIdentifier(string text) =>
        text.Length is >= 1 and <= 128 && !text.AsSpan().ContainsAnyExcept(IdentifierChars);

    [LoggerMessage(
        EventId = 9001,
        EventName = "AccessLog",
        Level = LogLevel.Information,
        Message = "{method} {route} answered {status} in {duration_ms} ms (caller {caller}; DynamoDB {dynamodb_calls} calls, {read_capacity} RCU, {write_capacity} WCU)")]
    private static partial void LogAccess(
        ILogger logger, string method, string route, int status, double duration_ms, string? caller, double read_capacity, double write_capacity, int dynamodb_calls);

    /// <summary>The request's logger scope: read by the JSON log provider as the line's correlation_id.</summary>
    private sealed class CorrelationScope(string correlationId, HttpResponse response) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public Task Echo()
        {
            response.Headers[CorrelationHeader] = correlationId;
            return Task.CompletedTask;
        }

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("CorrelationId", correlationId) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "CorrelationId:" + correlationId;
    }
}

/// <summary>
/// The API's metrics (meter <see cref="MeterName"/>; on Lambda the layer writes them as EMF), with dimensions from
/// closed sets only: the app's route templates and five status classes.
/// </summary>
public static class RequestMetrics
{
    public const string MeterName = "Serverless.Api";

    public const string RouteDimension = "Route";
    public const string StatusClassDimension = "StatusClass";
    public const string Unmatched = "unmatched";

    public const string LatencyMetric = "ApiLatency";
    public const string RequestsMetric = "ApiRequests";
    public const string ReadCapacityMetric = "RequestConsumedReadCapacity";
    public const string WriteCapacityMetric = "RequestConsumedWriteCapacity";

    public static IReadOnlyCollection<string> StatusClasses { get; } = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>(LatencyMetric, "Milliseconds");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(RequestsMetric, "Count");
    private static readonly Counter<double> ReadCapacity = Meter.CreateCounter<double>(ReadCapacityMetric, "Count");
    private static readonly Counter<double> WriteCapacity = Meter.CreateCounter<double>(WriteCapacityMetric, "Count");

    public static string StatusClassOf(int status) => status switch
    {
        < 200 => "1xx",
        < 300 => "2xx",
        < 400 => "3xx",
        < 500 => "4xx",
        _ => "5xx",
    };

    // Every request names its route template: parsed once per template, not once per request.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Normalized = new(StringComparer.Ordinal);

    /// <summary>"/users/{id:guid}" and "/users/{id}/" read as "/users/{id}": the template as a client would write it.</summary>
    public static string Normalize(string template) => Normalized.GetOrAdd(template, Parse);

    private static string Parse(string template)
    {
        var pattern = RoutePatternFactory.Parse(template);
        var parts = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + (parameter.IsCatchAll ? "*" : "") + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return "/" + string.Join('/', parts);
    }

    /// <summary>The dimension values of an app: its route templates (and "unmatched"), and the status classes.</summary>
    public static IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> DimensionsOf(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var routes = endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText)
            .OfType<string>()
            .Select(Normalize)
            .Append(Unmatched)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return [new(RouteDimension, routes), new(StatusClassDimension, StatusClasses)];
    }

    internal static void Record(string route, string statusClass, TimeSpan elapsed, double read, double write)
    {
        var both = new TagList { { RouteDimension, route }, { StatusClassDimension, statusClass } };
        Latency.Record(elapsed.TotalMilliseconds, both);
        Requests.Add(1, both);
        // The same again over the whole API, and by status class alone: the series the alarms watch (an alarm reads one
        // dimension set, and CloudWatch computes no percentile across series).
        Latency.Record(elapsed.TotalMilliseconds);
        Requests.Add(1);
        Requests.Add(1, new TagList { { StatusClassDimension, statusClass } });
        var byRoute = new TagList { { RouteDimension, route } };
        if (read > 0)
        {
            ReadCapacity.Add(read, byRoute);
        }

        if (write > 0)
        {
            WriteCapacity.Add(write, byRoute);
        }
    }
}
