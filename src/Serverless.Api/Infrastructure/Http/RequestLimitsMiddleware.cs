using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// Enforces the request size limits of <see cref="ApiOptions"/> the same way on every host (Kestrel's own limits do
/// not exist on the Lambda adapter, and Kestrel answers its own with a bare status and no problem): the request
/// target (414), the headers (431), and the body (413). A declared body length above the limit is refused before
/// reading; a body without a declared length is read into memory up to the limit, and refused if it goes past it.
/// Either way it is refused before any handler runs, so nothing is written.
/// </summary>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var request = context.Request;

        var target = TargetBytes(context);
        if (target > limits.MaxRequestTargetBytes)
        {
            throw new BadHttpRequestException(
                Invariant($"The request target (path and query) is {target} bytes, over the limit of {limits.MaxRequestTargetBytes}. Shorten the query."),
                StatusCodes.Status414UriTooLong);
        }

        var headers = HeaderBytes(request.Headers);
        if (headers > limits.MaxRequestHeadersBytes)
        {
            throw new BadHttpRequestException(
                Invariant($"The request headers are {headers} bytes, over the limit of {limits.MaxRequestHeadersBytes}. Send fewer or smaller headers (cookies count)."),
                StatusCodes.Status431RequestHeaderFieldsTooLarge);
        }

        var limit = limits.MaxRequestBodyBytes;
        if (request.ContentLength is { } length)
        {
            if (length > limit)
            {
                throw TooLarge(limit);
            }
        }
        else if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
        {
            // Chunked or undeclared: buffer at most limit + 1 bytes to learn whether it fits.
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }

            buffer.Position = 0;
            request.Body = buffer;
            request.ContentLength = buffer.Length;
            context.Response.RegisterForDispose(buffer);
        }

        await next(context);
    }

    /// <summary>The target as the client sent it (Kestrel's raw target; the adapter rebuilds it from the event).</summary>
    private static long TargetBytes(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw))
        {
            return System.Text.Encoding.UTF8.GetByteCount(raw);
        }

        var request = context.Request;
        return System.Text.Encoding.UTF8.GetByteCount(request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent());
    }

    /// <summary>Header lines as on the wire: <c>name: value</c> and CRLF for each value.</summary>
    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                total += name.Length + 4 + System.Text.Encoding.UTF8.GetByteCount(value ?? string.Empty);
            }
        }

        return total;
    }

    private static BadHttpRequestException TooLarge(long limit) =>
        new(Invariant($"The request body is larger than the limit of {limit} bytes."), StatusCodes.Status413PayloadTooLarge);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
