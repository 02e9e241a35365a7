using System.Net;
using System.Text.Json;
using Serverless.Api.Tests.Support;
using Xunit;

namespace Serverless.Api.Tests.Users;

/// <summary>Creating users through the API for tests that need one.</summary>
public static class UserRequests
{
    public static string Body(string? email = null, string name = "Ann Example", string password = "correct horse battery", object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["email"] = email ?? Json.UniqueEmail(),
            ["name"] = name,
            ["password"] = password,
        };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra, new JsonSerializerOptions(JsonSerializerDefaults.Web)).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        return Json.Of(body);
    }

    public static async Task<(JsonElement User, string ETag)> CreateAsync(this ApiFixture api, string? body = null)
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", body ?? Body(), ApiFixture.AllScopes);
        var user = await response.ReadJsonAsync(HttpStatusCode.Created);
        return (user, response.Headers.ETag!.ToString());
    }

    public static string IdOf(this JsonElement user) => user.GetProperty("id").GetString()!;
}
