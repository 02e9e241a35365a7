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
}
