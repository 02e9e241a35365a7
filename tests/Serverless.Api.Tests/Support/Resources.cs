using System.Net;
using System.Text.Json;
using Xunit;

namespace Serverless.Api.Tests.Support;

/// <summary>Creating the resources other tests need, through the API.</summary>
public static class Resources
{
    public static async Task<(JsonElement Body, string ETag)> PostAsync(this ApiFixture api, string path, object body)
    {
        using var response = await api.SendAsync(HttpMethod.Post, path, Json.Of(body), ApiFixture.AllScopes);
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.NotNull(response.Headers.Location);
        return (created, response.Headers.ETag?.ToString() ?? "");
    }

    public static async Task<JsonElement> GetOkAsync(this ApiFixture api, string path)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, token: ApiFixture.AllScopes);
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    public static Task<(JsonElement Body, string ETag)> CreateProductAsync(this ApiFixture api, decimal price, string? name = null) =>
        api.PostAsync("/products", new { name = name ?? "Product " + Guid.NewGuid().ToString("N")[..6], price });

    public static string Id(this JsonElement resource) => resource.GetProperty("id").GetString()!;

    /// <summary>The cursor to the second page of <paramref name="path"/> (a list query that has more than one page).</summary>
    public static async Task<string> NextCursorAsync(this ApiFixture api, string path)
    {
        var cursor = (await api.GetOkAsync(path)).GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor), $"{path} has a single page; the test needs two.");
        return cursor;
    }

    /// <summary>The cursor with one character of its signature changed: still well-formed, no longer authentic.</summary>
    public static string Tampered(string cursor)
    {
        ArgumentException.ThrowIfNullOrEmpty(cursor);
        return cursor[..^2] + (cursor[^2] == 'A' ? "B" : "A") + cursor[^1];
    }
}
