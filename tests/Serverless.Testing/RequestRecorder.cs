using System.Collections.Concurrent;
using Amazon.Runtime;

namespace Serverless.Testing;

/// <summary>
/// Records the DynamoDB operation of every request an SDK client sends (from the <c>X-Amz-Target</c> header,
/// e.g. "DynamoDB_20120810.Query" -> "Query"), so a test can prove which calls an access pattern makes.
/// Plug it in with <c>config.HttpClientFactory = recorder</c>.
/// </summary>
public sealed class RequestRecorder : HttpClientFactory
{
    private readonly ConcurrentQueue<string> _operations = new();

    public IReadOnlyList<string> Operations => [.. _operations];

    public void Clear() => _operations.Clear();

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new RecordingHandler(_operations, new SocketsHttpHandler()));

    // One HttpClient per config is fine for tests; the SDK must not cache ours across configs.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    private sealed class RecordingHandler(ConcurrentQueue<string> operations, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.FirstOrDefault() : null;
            operations.Enqueue(target is null ? "(none)" : target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..]);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
