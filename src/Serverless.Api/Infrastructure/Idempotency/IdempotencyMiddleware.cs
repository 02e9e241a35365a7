using System.Globalization;
using Serverless.Data.Idempotency;

namespace Serverless.Api.Infrastructure.Idempotency;

/// <summary>
/// A request with an <c>Idempotency-Key</c> on a route that takes one (<see cref="IdempotencySetup.Applies"/>) runs at
/// most once per caller, route and key while its record lives: the same request again gets the first response
/// (with <c>Idempotent-Replayed: true</c>) and writes nothing; the key with another payload gets 422; the key while the
/// first is still running gets 409 with Retry-After. A response below 500 is kept; a 5xx or an exception releases the
/// record, so a retry runs again. Without the header nothing changes. After authorization (an unauthorized request
/// claims nothing) and the request text checks. The store (and the table client under it) is resolved by the first
/// request that carries a key, so a start, and every request without one, touches no DynamoDB client.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider time, ILogger<IdempotencyMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (!context.Request.Headers.TryGetValue(IdempotencySetup.HeaderName, out var values) || !IdempotencySetup.Applies(endpoint))
        {
            await next(context);
            return;
        }

        var key = values.Count == 1 ? values[0] : null;
        if (!IdempotencyKeys.IsValidKey(key))
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest,
                "Invalid Idempotency-Key",
                $"Idempotency-Key must be one value of 1 to {IdempotencyKeys.MaxKeyLength} printable ASCII characters.",
                IdempotencySetup.HeaderName);
        }

        var request = context.Request;
        var route = ((RouteEndpoint)endpoint!).RoutePattern.RawText ?? request.Path.Value ?? "/";
        var body = await ReadBodyAsync(request, context.RequestAborted);
        var recordHash = IdempotencyKeys.RecordHash(context.User.GetSubject() ?? "", request.Method, route, key!);
        var payloadHash = IdempotencyKeys.PayloadHash(request.Path.Value + request.QueryString.Value, request.Headers.IfMatch.ToString(), body);

        var store = context.RequestServices.GetRequiredService<IdempotencyStore>();
        var outcome = await store.ClaimAsync(recordHash, payloadHash, context.RequestAborted);
        switch (outcome)
        {
            case ClaimOutcome.PayloadMismatch:
                throw new ApiProblemException(
                    StatusCodes.Status422UnprocessableEntity,
                    "Idempotency-Key reused",
                    "This Idempotency-Key was used with another request (target, If-Match or body). Send a new key for a new request.",
                    IdempotencySetup.HeaderName);
            case ClaimOutcome.InProgress inProgress:
                throw new ApiProblemException(
                    StatusCodes.Status409Conflict,
                    "Request in progress",
                    "A request with this Idempotency-Key is still running. Retry after it has finished.",
                    IdempotencySetup.HeaderName)
                {
                    RetryAfter = inProgress.Until - time.GetUtcNow(),
                };
            case ClaimOutcome.Completed completed:
                await ReplayAsync(context.Response, completed.Response, context.RequestAborted);
                return;
            case ClaimOutcome.Claimed claimed:
                await RunAsync(context, store, route, claimed.Claim);
                return;
        }
    }

    private async Task RunAsync(HttpContext context, IdempotencyStore store, string route, IdempotencyClaim claim)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            response.Body = original;
            // The exception becomes a problem response outside; the record must not hold the request off.
            await ReleaseAsync(store, claim, route, context.Request.Method);
            throw;
        }

        response.Body = original;
        if (response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            await ReleaseAsync(store, claim, route, context.Request.Method);
        }
        else
        {
            var stored = new StoredResponse(response.StatusCode, HeadersOf(response), buffer.ToArray());
            try
            {
                if (!await store.CompleteAsync(claim, stored, CancellationToken.None))
                {
                    log.LogWarning("The idempotency record of {Method} {Route} was not completed: its claim had run past its deadline, or the response is too large to keep.", context.Request.Method, route);
                }
            }
            catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or HttpRequestException or TaskCanceledException)
            {
                // The request's work is done: answer it. A retry gets 409 until the claim's deadline, then runs again.
                log.LogWarning("The idempotency record of {Method} {Route} could not be completed ({Error}).", context.Request.Method, route, e.GetType().Name);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private async Task ReleaseAsync(IdempotencyStore store, IdempotencyClaim claim, string route, string method)
    {
        try
        {
            await store.ReleaseAsync(claim, CancellationToken.None);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or HttpRequestException or TaskCanceledException)
        {
            // The claim's deadline frees the record instead.
            log.LogWarning("The idempotency record of {Method} {Route} could not be released ({Error}).", method, route, e.GetType().Name);
        }
    }

    private static async Task ReplayAsync(HttpResponse response, StoredResponse stored, CancellationToken cancellationToken)
    {
        response.StatusCode = stored.StatusCode;
        foreach (var (name, value) in stored.Headers)
        {
            response.Headers[name] = value;
        }

        response.Headers[IdempotencySetup.ReplayedHeaderName] = "true";
        if (!stored.Body.IsEmpty)
        {
            response.ContentLength = stored.Body.Length;
            await response.Body.WriteAsync(stored.Body, cancellationToken);
        }
    }

    private static Dictionary<string, string> HeadersOf(HttpResponse response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in StoredResponse.ReplayedHeaders)
        {
            if (response.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                headers[name] = value.ToString();
            }
        }

        return headers;
    }

    /// <summary>The body's bytes (at most Api:MaxRequestBodyBytes, which the limits middleware enforced), left readable for the handler.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, cancellationToken);
        var bytes = copy.ToArray();
        copy.Position = 0;
        request.Body = copy;
        return bytes;
    }
}
