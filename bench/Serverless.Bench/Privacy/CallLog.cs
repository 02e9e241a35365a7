using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.Runtime;

namespace Serverless.Bench.Privacy;

/// <summary>
/// Every request an SDK client sends, by operation (from <c>X-Amz-Target</c>: "TrentService.Decrypt" is "Decrypt")
/// and the moment its response arrived. Plugged in as the client's <c>HttpClientFactory</c>; one pooled HttpClient for
/// all its requests, so the client connects as it would without it.
/// </summary>
internal sealed class CallLog : HttpClientFactory, IDisposable
{
    private readonly ConcurrentQueue<Call> _calls = new();
    private readonly HttpClient _http;

    public CallLog() => _http = new HttpClient(new Recorder(_calls, new SocketsHttpHandler { UseProxy = false }));

    public IReadOnlyList<Call> Calls => [.. _calls];

    public int Count(string operation) => _calls.Count(c => c.Operation == operation);

    public void Clear() => _calls.Clear();

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _http;

    // The one client above is the cache: the SDK must neither cache nor dispose it.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose() => _http.Dispose();

    internal sealed record Call(string Operation, long AnsweredAt);

    private sealed class Recorder(ConcurrentQueue<Call> calls, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.FirstOrDefault() : null;
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            calls.Enqueue(new Call(target is null ? "(none)" : target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..], Stopwatch.GetTimestamp()));
            return response;
        }
    }
}
