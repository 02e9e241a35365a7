using Microsoft.Net.Http.Headers;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// Conditional GET (RFC 9110 section 13.1.2): a GET answered with an ETag becomes 304 Not Modified, without a body
/// and with the same ETag, when If-None-Match names that ETag (weak comparison: <c>W/"3"</c> matches <c>"3"</c>) or is
/// <c>*</c> (any current representation). Runs on every endpoint and acts only where a handler set an ETag on a 200,
/// so a new GET that sets its ETag answers conditional requests without doing anything for it.
/// </summary>
internal sealed class NotModifiedFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context);
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return result;
        }

        var etag = http.Response.Headers.ETag;
        if (etag.Count == 0 || !IsOk(result) || !Matches(http.Request.Headers.IfNoneMatch, etag.ToString()))
        {
            return result;
        }

        // The ETag header stays: a 304 carries what the 200 would have (RFC 9110 section 15.4.5).
        return TypedResults.StatusCode(StatusCodes.Status304NotModified);
    }

    /// <summary>True when If-None-Match is <c>*</c> or lists a tag weakly equal to <paramref name="current"/>.</summary>
    internal static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string current)
    {
        if (ifNoneMatch.Count == 0
            || !EntityTagHeaderValue.TryParse(current, out var ours)
            // An If-None-Match that is not a list of entity tags is not a condition we can evaluate: the full answer is right.
            || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(ours, useStrongComparison: false));
    }

    /// <summary>The handler's own answer was 200 (typed results may wrap it in a <c>Results&lt;…&gt;</c> union).</summary>
    private static bool IsOk(object? result)
    {
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        return inner is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK };
    }
}
