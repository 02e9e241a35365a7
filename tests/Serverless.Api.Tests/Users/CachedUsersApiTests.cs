using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.Api.Tests.Support;
using Serverless.Data.Caching;
using StackExchange.Redis;
using Xunit;

namespace Serverless.Api.Tests.Users;

/// <summary>The users API with the cache on: never stale after a write, and nothing in the cache a reader could use.</summary>
public sealed class CachedUsersApiTests(CachedApiFixture api) : IClassFixture<CachedApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Eight_writers_and_thirty_two_readers_through_the_api_never_read_a_version_older_than_a_returned_write()
    {
        var users = new List<(string Id, string Email, long Version)>();
        foreach (var chunk in Enumerable.Range(0, 100).Chunk(10))
        {
            users.AddRange(await Task.WhenAll(chunk.Select(async _ =>
            {
                var email = Json.UniqueEmail();
                var (user, _) = await api.CreateAsync(UserRequests.Body(email));
                return (user.IdOf(), email, user.GetProperty("version").GetInt64());
            })));
        }

        var committed = users.Select(u => u.Version).ToArray();
        int writes = 0, conflicts = 0, reads = 0, stale = 0, failures = 0, writersLeft = 8, writeAttempts = 0;
        string? firstFailure = null;
        var token = ApiFixture.AllScopes;

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (Interlocked.Increment(ref writeAttempts) <= 1_000)
            {
                var at = random.Next(users.Count);
                try
                {
                    using var get = await api.SendAsync(HttpMethod.Get, $"/users/{users[at].Id}", token: token);
                    var etag = get.Headers.ETag!.ToString();
                    using var patch = await api.SendAsync(HttpMethod.Patch, $"/users/{users[at].Id}", Json.Of(new { name = "Name " + random.Next(1_000_000) }), token, etag);
                    if (patch.StatusCode == HttpStatusCode.PreconditionFailed)
                    {
                        Interlocked.Increment(ref conflicts);
                        continue;
                    }

                    var written = await patch.ReadJsonAsync(HttpStatusCode.OK);
                    Raise(ref committed[at], written.GetProperty("version").GetInt64());
                    Interlocked.Increment(ref writes);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }

            Interlocked.Decrement(ref writersLeft);
        }, Ct));
        var readers = Enumerable.Range(0, 32).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            while (Volatile.Read(ref writersLeft) > 0 || Volatile.Read(ref reads) < 9_000)
            {
                var at = random.Next(users.Count);
                var floor = Volatile.Read(ref committed[at]);
                try
                {
                    long version;
                    if (random.Next(3) == 0)
                    {
                        using var response = await api.SendAsync(HttpMethod.Get, $"/users?email={Uri.EscapeDataString(users[at].Email)}", token: token);
                        var page = await response.ReadJsonAsync(HttpStatusCode.OK);
                        version = page.GetProperty("items")[0].GetProperty("version").GetInt64();
                    }
                    else
                    {
                        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{users[at].Id}", token: token);
                        version = (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("version").GetInt64();
                    }

                    Interlocked.Increment(ref reads);
                    if (version < floor)
                    {
                        Interlocked.Increment(ref stale);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }
        }, Ct));
        await Task.WhenAll(writers.Concat(readers));

        var summary = $"{writes} writes ({conflicts} refused as conflicts), {reads} reads, {stale} stale, {failures} failures {firstFailure}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.Equal(0, failures);
        Assert.Equal(0, stale);
        Assert.True(writes + reads >= 10_000 && writes >= 500, summary);
    }

    [Fact]
    public async Task After_the_api_has_served_users_no_key_or_value_in_redis_holds_their_pii_in_clear()
    {
        var secrets = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var email = $"cache.secret{i}.{Guid.NewGuid():N}@private-domain.test";
            var name = $"Zebulon Quixote{i}";
            var (user, etag) = await api.CreateAsync(UserRequests.Body(email, name, extra: new
            {
                phone = "+4420718387" + (50 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                addresses = new[] { new { type = "home", street = $"{i} Gallifrey Lane", city = "Xanthopolis", country = "GB", isDefault = true } },
            }));
            secrets.AddRange([email, name, "Gallifrey", "Xanthopolis", "private-domain"]);
            (await (await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes)).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("id");
            using var byEmail = await api.SendAsync(HttpMethod.Get, $"/users?email={Uri.EscapeDataString(email.ToUpperInvariant())}", token: ApiFixture.AllScopes);
            Assert.Equal(HttpStatusCode.OK, byEmail.StatusCode);
            using var patch = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = name + " Jr" }), ApiFixture.AllScopes, etag);
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes);
        }

        using var active = await api.SendAsync(HttpMethod.Get, "/users?status=active&limit=50", token: ApiFixture.AllScopes);
        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        using var absent = await api.SendAsync(HttpMethod.Get, "/users?email=nobody.secret%40private-domain.test", token: ApiFixture.AllScopes);
        Assert.Equal(HttpStatusCode.OK, absent.StatusCode);
        secrets.Add("nobody.secret");

        // Every key of the server (KEYS *), and every value.
        var server = api.Redis.Connection.GetServers().First();
        var database = api.Redis.Connection.GetDatabase();
        var keys = server.Keys(pattern: "*", pageSize: 1000).ToList();
        Assert.Contains(keys, k => k.ToString().StartsWith(api.KeyPrefix + "user:email:", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.ToString().StartsWith(api.KeyPrefix + "{users:active}:page:", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            var value = await database.StringGetAsync(key);
            var text = key.ToString() + "\n" + (value.HasValue ? Encoding.Latin1.GetString((byte[])value!) : "");
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"Redis key {key} holds '{secret}' in clear");
            }
        }
    }

    [Fact]
    public async Task A_user_read_through_the_api_is_cached_as_stored_and_a_delete_is_seen_at_once()
    {
        var (user, etag) = await api.CreateAsync();
        using (var first = await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var raw = await api.Redis.Connection.GetDatabase().StringGetAsync(api.KeyPrefix + "user:" + user.IdOf());
        Assert.Equal(CacheEntryKind.Value, CacheEntry.Decode((byte[])raw!).Kind);

        using var delete = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        using var after = await api.SendAsync(HttpMethod.Get, $"/users?email={Uri.EscapeDataString(user.GetProperty("email").GetString()!)}", token: ApiFixture.AllScopes);
        Assert.Equal(0, (await after.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
    }

    private static void Raise(ref long slot, long value)
    {
        var seen = Volatile.Read(ref slot);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref slot, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
