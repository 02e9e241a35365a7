using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// Rotating Table:CursorSigningKey without breaking clients: a deployment with the new key and the old one as
/// Table:PreviousCursorSigningKey continues a list from a cursor the old deployment signed; without the previous key,
/// or for a cursor neither key signed, the request is a 400.
/// </summary>
public sealed class CursorRotationTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    // The key ApiFixture's deployment signs with: the old key of this rotation.
    private const string OldKey = "api-tests-cursor-signing-key-0123456789abcdef";
    private const string NewKey = "rotated-cursor-signing-key-0123456789abcdef!";

    [Fact]
    public async Task A_cursor_from_before_the_rotation_continues_the_list_while_the_old_key_is_the_previous_one()
    {
        var (path, cursor) = await FirstPageAsync();
        await using var rotated = await StartAsync(NewKey, previousKey: OldKey);

        using var page = await rotated.SendAsync(HttpMethod.Get, path + "&cursor=" + Uri.EscapeDataString(cursor), token: ApiFixture.Token(Scopes.Read));

        var body = await page.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Single(body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Once_the_previous_key_is_dropped_a_cursor_it_signed_is_a_400()
    {
        var (path, cursor) = await FirstPageAsync();
        await using var rotated = await StartAsync(NewKey, previousKey: null);

        using var page = await rotated.SendAsync(HttpMethod.Get, path + "&cursor=" + Uri.EscapeDataString(cursor), token: ApiFixture.Token(Scopes.Read));

        await page.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task During_the_rotation_a_cursor_neither_key_signed_is_a_400()
    {
        var (path, cursor) = await FirstPageAsync();
        await using var rotated = await StartAsync(NewKey, previousKey: OldKey);

        using var page = await rotated.SendAsync(HttpMethod.Get, path + "&cursor=" + Uri.EscapeDataString(Resources.Tampered(cursor)), token: ApiFixture.Token(Scopes.Read));

        await page.AssertFieldErrorAsync("cursor");
    }

    /// <summary>Two users in a fresh city, listed one per page by the fixture's deployment (the old key).</summary>
    private async Task<(string Path, string Cursor)> FirstPageAsync()
    {
        var city = "Rotation" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 2; i++)
        {
            using var created = await api.SendAsync(HttpMethod.Post, "/users",
                UserRequests.Body(extra: new { addresses = new[] { new { type = "home", street = $"{i} Road", city, country = "NL" } } }),
                ApiFixture.Token(Scopes.Write));
            await created.ReadJsonAsync(HttpStatusCode.Created);
        }

        var path = $"/users?city={city}&limit=1";
        using var first = await api.SendAsync(HttpMethod.Get, path, token: ApiFixture.Token(Scopes.Read));
        var body = await first.ReadJsonAsync(HttpStatusCode.OK);
        return (path, body.GetProperty("nextCursor").GetString()!);
    }

    /// <summary>The same API over the fixture's table, deployed again with <paramref name="key"/>.</summary>
    private async Task<RotatedHost> StartAsync(string key, string? previousKey)
    {
        var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = Microsoft.Extensions.Hosting.Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DynamoDb:ServiceUrl"] = api.DynamoDbServiceUrl.ToString(),
            ["Table:TableName"] = api.TableName,
            ["Table:CursorSigningKey"] = key,
            ["Table:PreviousCursorSigningKey"] = previousKey,
            ["Auth:TrustHostPrincipal"] = "false",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = ApiApp.Build(builder);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RotatedHost(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private sealed class RotatedHost(WebApplication app, HttpClient http) : IAsyncDisposable
    {
        public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new("Bearer", token);
            return http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }
}
