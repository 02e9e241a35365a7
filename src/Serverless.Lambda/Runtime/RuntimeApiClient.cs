using System.Net.Http.Headers;
using System.Text.Json;

namespace Serverless.Lambda.Runtime;

/// <summary>
/// Client of the Lambda Runtime API (version 2018-06-01): next invocation, response, invocation error, init error.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    private const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
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
        response.EnsureSuccessStatusCode();

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

    public async Task SendResponseAsync(string requestId, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(response);
        content.Headers.ContentType = JsonMediaType;
        using var reply = await http.PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken)
            .ConfigureAwait(false);
        reply.EnsureSuccessStatusCode();
    }

    public Task SendInvocationErrorAsync(string requestId, RuntimeErrorReport error, CancellationToken cancellationToken) =>
        PostErrorAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", error, cancellationToken);

    public Task SendInitErrorAsync(RuntimeErrorReport error, CancellationToken cancellationToken) =>
        PostErrorAsync("runtime/init/error", error, cancellationToken);

    private async Task PostErrorAsync(string path, RuntimeErrorReport error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.RuntimeErrorReport));
        content.Headers.ContentType = JsonMediaType;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, error.ErrorType);
        using var reply = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        reply.EnsureSuccessStatusCode();
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => http.Dispose();
}
