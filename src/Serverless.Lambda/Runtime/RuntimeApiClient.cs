using System.Net;
using System.Net.Http.Headers;

namespace Serverless.Lambda.Runtime;

/// <summary>
/// Client of the Lambda Runtime API (version 2018-06-01): next invocation, response, invocation error, init error.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    private const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
    private const string XRayCauseHeader = "Lambda-Runtime-Function-XRay-Error-Cause";

    /// <summary>The largest synchronous response Lambda accepts (6 MB as Lambda counts it); a larger one is refused with 413.</summary>
    public const int MaxResponseBytes = 6_291_556;
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient http;

    public RuntimeApiClient(string runtimeApiHostAndPort)
        : this(new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }), runtimeApiHostAndPort)
    {
    }

    public RuntimeApiClient(HttpClient http, string runtimeApiHostAndPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApiHostAndPort);
        this.http = http;
        http.BaseAddress = new Uri($"http://{runtimeApiHostAndPort}/2018-06-01/");

        // The next-invocation call blocks for as long as the function sits idle; any client timeout would kill it.
        http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public async Task<LambdaInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("runtime/invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        EnsureAccepted(response, "next-invocation request");

        var headers = response.Headers;
        var requestId = Header(headers, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("The Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(Header(headers, "Lambda-Runtime-Deadline-Ms"), out var deadlineMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs)
            : DateTimeOffset.MaxValue;
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);

        return new LambdaInvocation(
            requestId,
            payload,
            deadline,
            Header(headers, "Lambda-Runtime-Invoked-Function-Arn"),
            Header(headers, "Lambda-Runtime-Trace-Id"),
            Header(headers, "Lambda-Runtime-Client-Context"),
            Header(headers, "Lambda-Runtime-Cognito-Identity"));
    }

    /// <summary>
    /// Sends the invocation's response. One over <see cref="MaxResponseBytes"/> is not sent (Lambda would refuse it):
    /// <see cref="ResponseTooLargeException"/>, as for a 413 from the Runtime API itself; any other refusal is a
    /// <see cref="RuntimeApiException"/> with its status.
    /// </summary>
    public async Task SendResponseAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        if (response.Length > MaxResponseBytes)
        {
            throw new ResponseTooLargeException(response.Length);
        }

        using var content = new ReadOnlyMemoryContent(response);
        content.Headers.ContentType = JsonMediaType;
        using var reply = await http.PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken)
            .ConfigureAwait(false);
        if (reply.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            throw new ResponseTooLargeException(response.Length);
        }

        EnsureAccepted(reply, "response");
    }

    public Task SendInvocationErrorAsync(string requestId, RuntimeErrorReport error, CancellationToken cancellationToken, string? xrayCause = null) =>
        PostErrorAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", error, xrayCause, cancellationToken);

    public Task SendInitErrorAsync(RuntimeErrorReport error, CancellationToken cancellationToken, string? xrayCause = null) =>
        PostErrorAsync("runtime/init/error", error, xrayCause, cancellationToken);

    private async Task PostErrorAsync(string path, RuntimeErrorReport error, string? xrayCause, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(error.ToJson());
        content.Headers.ContentType = JsonMediaType;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, error.ErrorType);
        if (xrayCause is not null)
        {
            // A cause the header cannot carry is left out; the error itself is still reported.
            request.Headers.TryAddWithoutValidation(XRayCauseHeader, xrayCause);
        }

        using var reply = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        EnsureAccepted(reply, "error");
    }

    private static void EnsureAccepted(HttpResponseMessage reply, string what)
    {
        if (!reply.IsSuccessStatusCode)
        {
            throw new RuntimeApiException((int)reply.StatusCode, $"The Runtime API refused the invocation's {what} with {(int)reply.StatusCode} {reply.ReasonPhrase}.");
        }
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => http.Dispose();
}
