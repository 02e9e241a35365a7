using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tools.Tests.Migrations;

/// <summary>
/// Sees every transaction a client sends that puts a user item, and counts the successful ones per user (a user
/// rewritten twice would show 2); optionally cancels a token once N have succeeded (a run "killed" midway).
/// </summary>
internal sealed class UserRewriteRecorder : HttpClientFactory
{
    private readonly ConcurrentDictionary<string, int> _rewrites = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Operation, string Body)> _requests = new();
    private int _succeeded;

    public CancellationTokenSource? CancelAfter { get; set; }

    public int CancelAfterRewrites { get; set; } = int.MaxValue;

    /// <summary>Successful transactions that put a user item, per user partition.</summary>
    public IReadOnlyDictionary<string, int> RewritesByUser => _rewrites;

    public IReadOnlyList<(string Operation, string Body)> Requests => [.. _requests];

    public void ClearRequests() => _requests.Clear();

    public IAmazonDynamoDB CreateClient(DynamoDbLocalFixture fixture)
    {
        var config = fixture.Server.CreateConfig();
        config.HttpClientFactory = this;
        return new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this, new SocketsHttpHandler()));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    private static string? UserPutIn(string body)
    {
        using var json = JsonDocument.Parse(body);
        if (!json.RootElement.TryGetProperty("TransactItems", out var actions))
        {
            return null;
        }

        foreach (var action in actions.EnumerateArray())
        {
            if (action.TryGetProperty("Put", out var put)
                && put.GetProperty("Item").TryGetProperty("entityType", out var type) && type.GetProperty("S").GetString() == "User")
            {
                return put.GetProperty("Item").GetProperty("PK").GetProperty("S").GetString();
            }
        }

        return null;
    }

    private sealed class Handler(UserRewriteRecorder recorder, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : "";
            var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            recorder._requests.Enqueue((operation, body));
            var response = await base.SendAsync(request, cancellationToken);
            if (operation == "TransactWriteItems" && response.IsSuccessStatusCode && UserPutIn(body) is { } user)
            {
                _ = recorder._rewrites.AddOrUpdate(user, 1, (_, n) => n + 1);
                if (Interlocked.Increment(ref recorder._succeeded) == recorder.CancelAfterRewrites)
                {
                    await recorder.CancelAfter!.CancelAsync();
                }
            }

            return response;
        }
    }
}
