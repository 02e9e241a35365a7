using Xunit;

namespace Serverless.Api.Tests.Support;

public static class ConditionalGet
{
    /// <summary>A GET with every scope and the given If-None-Match, sent as written.</summary>
    public static async Task<HttpResponseMessage> GetIfNoneMatchAsync(this ApiFixture api, string path, string ifNoneMatch)
    {
        ArgumentNullException.ThrowIfNull(api);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiFixture.AllScopes);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
