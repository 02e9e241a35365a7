using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Serve;

public sealed partial class LocalStackTests
{
    private const int KilledStackUsers = 24;

    /// <summary>
    /// The local stack is killed (its whole process tree: the API and every stream function with it) while the stream
    /// functions are busy with the records of the writes made so far, then started again on the same table, where the
    /// writes go on. Lambda's contract is at-least-once: a record whose batch was cut off comes again, so the
    /// functions must make a replay change nothing. When the stream drains, each change has exactly one audit entry and
    /// every order carries its user's newest name.
    /// </summary>
    [Fact]
    public async Task A_stack_killed_mid_batch_and_started_again_loses_and_duplicates_no_change()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = "stack-killed-" + Guid.NewGuid().ToString("N");
        var users = new List<(string Id, string OrderId, string Name)>();
        string productId;

        var first = StartServe(tableName: table);
        try
        {
            using var http = Client(await WaitForReadyAsync(first, ct));
            productId = await CreateAsync(http, "products", new { name = "Killed Widget", price = 4.5m }, ct);
            for (var i = 0; i < KilledStackUsers / 2; i++)
            {
                users.Add(await UserWithRenamedOrderAsync(http, productId, i, ct));
            }
        }
        finally
        {
            // No request is in flight here; the stream functions are: the writes above have just been made, faster
            // than their batches are handled.
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(CancellationToken.None);
            first.Dispose();
        }

        using var second = StartServe(tableName: table);
        try
        {
            using var http = Client(await WaitForReadyAsync(second, ct));
            for (var i = KilledStackUsers / 2; i < KilledStackUsers; i++)
            {
                users.Add(await UserWithRenamedOrderAsync(http, productId, i, ct));
            }

            foreach (var (id, orderId, name) in users)
            {
                await PollAsync(http, $"audit/User/{id}?limit=10", h => h.GetProperty("items").GetArrayLength() >= 2, $"user {id}'s two changes reached the audit function", ct);
                await PollAsync(http, $"orders/{orderId}", o => o.GetProperty("userName").GetString() == name, $"order {orderId} got its user's newest name", ct);
            }

            // The restarted stack read the stream from its trim horizon again: every record before the kill was
            // delivered twice or more. Let any late replay land, then count.
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            foreach (var (id, orderId, name) in users)
            {
                var entries = (await http.GetFromJsonAsync<JsonElement>($"audit/User/{id}?limit=10", ct)).GetProperty("items").EnumerateArray().ToList();
                Assert.Equal(["UPDATE", "INSERT"], entries.Select(e => e.GetProperty("action").GetString()));
                Assert.Equal(name, (await http.GetFromJsonAsync<JsonElement>($"orders/{orderId}", ct)).GetProperty("userName").GetString());
            }
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>A client of the stack's API with a service token (read, write, admin) for <paramref name="subject"/>.</summary>
    private static HttpClient Client(Uri api, string subject = "kill-test")
    {
        var http = new HttpClient { BaseAddress = api };
        var token = DevAuth.CreateToken(subject, [Scopes.Read, Scopes.Write, Scopes.Admin], TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<(string Id, string OrderId, string Name)> UserWithRenamedOrderAsync(HttpClient http, string productId, int n, CancellationToken ct)
    {
        var created = await http.PostAsJsonAsync("users", new { email = $"killed-{n}-{Guid.NewGuid():N}@example.com", name = $"Killed {n}", password = "a long enough passphrase" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        var orderId = await CreateAsync(http, "orders", new { userId = id, items = new[] { new { productId, quantity = 1 } } }, ct);
        var name = $"Killed {n} Renamed";
        using var rename = new HttpRequestMessage(HttpMethod.Patch, $"users/{id}") { Content = JsonContent.Create(new { name }) };
        rename.Headers.TryAddWithoutValidation("If-Match", created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(rename, ct)).StatusCode);
        return (id, orderId, name);
    }

    private static async Task<string> CreateAsync(HttpClient http, string path, object body, CancellationToken ct)
    {
        var response = await http.PostAsJsonAsync(path, body, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }
}
