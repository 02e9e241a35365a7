using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// Enforces <see cref="ApiOptions.MaxRequestBodyBytes"/> the same way on every host (Kestrel's own limit does not
/// exist on the Lambda adapter): a declared length above the limit is refused before reading; a body without a
/// declared length is read into memory up to the limit, and refused if it goes past it. Either way it is 413 before
/// any handler runs, so nothing is written.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        var request = context.Request;

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

    private static BadHttpRequestException TooLarge(long limit) =>
        new($"The request body is larger than the limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
}
