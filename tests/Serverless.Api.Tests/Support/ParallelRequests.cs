using System.Net;
using System.Text.Json;
using Xunit;

namespace Serverless.Api.Tests.Support;

/// <summary>Requests sent at once, to race each other in the server for real.</summary>
public static class ParallelRequests
{
    /// <summary>Sends <paramref name="count"/> requests together (each built from its index) and reads every answer.</summary>
    public static async Task<List<(HttpStatusCode Status, string Body, string? ETag)>> SendTogetherAsync(
        this ApiFixture api, int count, Func<int, Task<HttpResponseMessage>> send)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(send);
        // Started on the thread pool together, so no request waits for another to be sent.
        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => send(i))));
        var results = new List<(HttpStatusCode, string, string?)>();
        foreach (var response in responses)
        {
            using (response)
            {
                results.Add((response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Headers.ETag?.ToString()));
            }
        }

        return results;
    }

    public static long VersionOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("version").GetInt64();
}
