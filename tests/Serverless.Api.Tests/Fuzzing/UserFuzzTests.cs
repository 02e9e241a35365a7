using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Serverless.Api.Tests.Support;
using Xunit;

namespace Serverless.Api.Tests.Fuzzing;

/// <summary>
/// Property-based tests of the user routes: bodies, paths and queries drawn from valid values and from what a
/// careless or hostile client sends (wrong types, nulls, control characters, unpaired surrogates, oversized text,
/// unknown members). Every answer is a 2xx or a 4xx problem, never a 5xx; a 4xx writes nothing; a 2xx reads back as
/// it was answered.
/// </summary>
public sealed class UserFuzzTests(FewerIterationsFixture api) : IClassFixture<FewerIterationsFixture>
{
    // The least hash cost a deployment may configure: a hundred creates, each one hashing, in seconds rather than minutes.
    private readonly FewerIterationsFixture _api = api;

    [Fact]
    public async Task Any_create_body_is_created_and_read_back_or_refused_with_a_4xx_that_writes_nothing()
    {
        var token = ApiFixture.AllScopes;
        var created = 0;
        var refused = 0;
        await FuzzBodies.User.SampleAsync(
            async body =>
            {
                var before = await _api.SnapshotAsync();
                var response = await _api.SendAsync(HttpMethod.Post, "/users", body.ToJsonString(), token);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    created++;
                    var answered = await response.ReadJsonAsync(HttpStatusCode.Created);
                    var read = await (await _api.SendAsync(HttpMethod.Get, "/users/" + answered.GetProperty("id").GetString(), token: token)).ReadJsonAsync(HttpStatusCode.OK);
                    Assert.Equal(answered.ToString(), read.ToString());
                    FuzzBodies.AssertEchoes(body, read, "name", "phone", "status");
                    return;
                }

                refused++;
                await FuzzBodies.AssertRefusedAsync(response, body);
                await _api.AssertUnchangedAsync(before);
            },
            iter: 120,
            threads: 1,
            print: b => b.ToJsonString());

        // The generator must reach both outcomes, or the property says nothing about one of them.
        Assert.True(created > 0 && refused > 0, $"created {created}, refused {refused}");
    }

    [Fact]
    public async Task Any_path_or_query_on_the_user_routes_is_answered_without_a_5xx_and_a_refusal_writes_nothing()
    {
        var token = ApiFixture.AllScopes;
        var user = await (await _api.SendAsync(HttpMethod.Post, "/users", FuzzBodies.ValidUser().ToJsonString(), token)).ReadJsonAsync(HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        var gen = Gen.Select(FuzzBodies.PathSegment(id), FuzzBodies.QueryValue, FuzzBodies.QueryValue, Gen.Int[0, 4]);
        await gen.SampleAsync(
            async (segment, limit, cursor, route) =>
            {
                var before = await _api.SnapshotAsync();
                var (method, path) = route switch
                {
                    0 => (HttpMethod.Get, $"/users/{segment}"),
                    1 => (HttpMethod.Get, $"/users?limit={limit}&cursor={cursor}"),
                    2 => (HttpMethod.Get, $"/users?status={cursor}&limit={limit}"),
                    3 => (HttpMethod.Delete, $"/users/{segment}"),
                    _ => (HttpMethod.Get, $"/users/{segment}/orders?limit={limit}"),
                };
                var response = await _api.SendAsync(method, path, token: token, ifMatch: method == HttpMethod.Delete ? "\"1\"" : null);
                var status = (int)response.StatusCode;
                Assert.True(status < 500, $"{method} {path} answered {status}: {await response.Content.ReadAsStringAsync()}");
                if (status >= 400)
                {
                    Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{method} {path} answered {status} with no problem body");
                    await _api.AssertUnchangedAsync(before);
                }
            },
            iter: 150,
            threads: 1,
            print: t => t.ToString());
    }

    [Fact]
    public async Task Any_patch_body_is_applied_and_read_back_or_refused_with_a_4xx_that_writes_nothing()
    {
        var token = ApiFixture.AllScopes;
        var user = await (await _api.SendAsync(HttpMethod.Post, "/users", FuzzBodies.ValidUser().ToJsonString(), token)).ReadJsonAsync(HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        var applied = 0;
        await FuzzBodies.UserPatch.SampleAsync(
            async body =>
            {
                var current = await _api.SendAsync(HttpMethod.Get, "/users/" + id, token: token);
                var etag = current.Headers.ETag!.Tag;
                var before = await _api.SnapshotAsync();
                var response = await _api.SendAsync(HttpMethod.Patch, "/users/" + id, body.ToJsonString(), token, etag);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    applied++;
                    var answered = await response.ReadJsonAsync(HttpStatusCode.OK);
                    var read = await (await _api.SendAsync(HttpMethod.Get, "/users/" + id, token: token)).ReadJsonAsync(HttpStatusCode.OK);
                    Assert.Equal(answered.ToString(), read.ToString());
                    FuzzBodies.AssertEchoes(body, read, "name", "phone", "status");
                    return;
                }

                await FuzzBodies.AssertRefusedAsync(response, body);
                await _api.AssertUnchangedAsync(before);
            },
            iter: 100,
            threads: 1,
            print: b => b.ToJsonString());

        Assert.True(applied > 0, "no patch was applied");
    }
}
