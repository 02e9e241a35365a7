using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tools.Tests.Rotation;

/// <summary>
/// Sees every transaction a client sends: counts, per user partition, the successful ones that put the user item
/// (a user rewritten), can cancel a token once N of them have succeeded (a run killed midway), and can run a step of
/// the test's own just before a user's first rewrite is sent (a concurrent API write).
/// </summary>
internal sealed class RotationRecorder : HttpClientFactory
{
    private readonly ConcurrentDictionary<string, int> _userRewrites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _updates = new(StringComparer.Ordinal);
    private int _rewrites;
    private int _hooked;

    public IReadOnlyDictionary<string, int> UserRewrites => _userRewrites;

    /// <summary>Successful UpdateItem calls per item partition (the orders' copies).</summary>
    public IReadOnlyDictionary<string, int> Updates => _updates;

    /// <summary>Cancelled right after the <see cref="CancelAfterRewrites"/>-th successful user rewrite.</summary>
    public CancellationTokenSource? CancelAfter { get; set; }

    public int CancelAfterRewrites { get; set; } = int.MaxValue;

    /// <summary>The user partition whose first rewrite waits for <see cref="BeforeRewrite"/>.</summary>
    public string? HookedUser { get; set; }

    public Func<Task>? BeforeRewrite { get; set; }

    public IAmazonDynamoDB CreateClient(DynamoDbLocalFixture fixture)
    {
        var config = fixture.Server.CreateConfig();
        config.HttpClientFactory = this;
        return new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this, new SocketsHttpHandler()));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    /// <summary>The user partitions whose user item (SK PROFILE) the transaction puts.</summary>
    private static List<string> UsersPut(string body)
    {
        using var json = JsonDocument.Parse(body);
        var users = new List<string>();
        foreach (var action in json.RootElement.GetProperty("TransactItems").EnumerateArray())
        {
            if (action.TryGetProperty("Put", out var put) && put.GetProperty("Item").GetProperty("SK").GetProperty("S").GetString() == "PROFILE")
            {
                users.Add(put.GetProperty("Item").GetProperty("PK").GetProperty("S").GetString()!);
            }
        }

        return users;
    }

    private sealed class Handler(RotationRecorder recorder, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : "";
            if (target.EndsWith(".UpdateItem", StringComparison.Ordinal) && request.Content is not null)
            {
                using var json = JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
                var pk = json.RootElement.GetProperty("Key").GetProperty("PK").GetProperty("S").GetString()!;
                var updated = await base.SendAsync(request, cancellationToken);
                if (updated.IsSuccessStatusCode)
                {
                    _ = recorder._updates.AddOrUpdate(pk, 1, (_, n) => n + 1);
                }

                return updated;
            }

            if (!target.EndsWith(".TransactWriteItems", StringComparison.Ordinal) || request.Content is null)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var users = UsersPut(await request.Content.ReadAsStringAsync(cancellationToken));
            if (recorder.HookedUser is { } hooked && users.Contains(hooked) && Interlocked.Exchange(ref recorder._hooked, 1) == 0)
            {
                await recorder.BeforeRewrite!();
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                foreach (var user in users)
                {
                    _ = recorder._userRewrites.AddOrUpdate(user, 1, (_, n) => n + 1);
                    if (Interlocked.Increment(ref recorder._rewrites) == recorder.CancelAfterRewrites)
                    {
                        await recorder.CancelAfter!.CancelAsync();
                    }
                }
            }

            return response;
        }
    }
}
