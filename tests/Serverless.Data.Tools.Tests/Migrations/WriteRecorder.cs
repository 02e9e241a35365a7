using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tools.Tests.Migrations;

/// <summary>
/// Sees every request a client sends and its HTTP outcome: which operations were sent, how many successful
/// UpdateItem calls hit each item key, and optionally cancels a token once N item updates have succeeded
/// (a run "killed" midway).
/// </summary>
internal sealed class WriteRecorder : HttpClientFactory
{
    private static readonly string[] WriteOperations = ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"];
    private readonly ConcurrentQueue<(string Operation, string Body)> _requests = new();
    private readonly ConcurrentDictionary<string, int> _updatesByKey = new(StringComparer.Ordinal);
    private int _updates;

    /// <summary>Cancelled right after the <see cref="CancelAfterUpdates"/>-th successful UpdateItem.</summary>
    public CancellationTokenSource? CancelAfter { get; set; }

    public int CancelAfterUpdates { get; set; } = int.MaxValue;

    public IReadOnlyDictionary<string, int> UpdatesByKey => _updatesByKey;

    public IReadOnlyList<(string Operation, string Body)> Requests => [.. _requests];

    public IReadOnlyList<string> Writes => [.. _requests.Select(r => r.Operation).Where(o => WriteOperations.Contains(o))];

    public void ClearRequests() => _requests.Clear();

    public IAmazonDynamoDB CreateClient(DynamoDbLocalFixture fixture)
    {
        var config = fixture.Server.CreateConfig();
        config.HttpClientFactory = this;
        return new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this, new SocketsHttpHandler()));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    private sealed class Handler(WriteRecorder recorder, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : "";
            var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            recorder._requests.Enqueue((operation, body));

            var response = await base.SendAsync(request, cancellationToken);
            if (operation == "UpdateItem" && response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(body);
                var key = json.RootElement.GetProperty("Key");
                _ = recorder._updatesByKey.AddOrUpdate(key.GetProperty("PK").GetProperty("S").GetString()!, 1, (_, n) => n + 1);
                if (Interlocked.Increment(ref recorder._updates) == recorder.CancelAfterUpdates)
                {
                    await recorder.CancelAfter!.CancelAsync();
                }
            }

            return response;
        }
    }
}
