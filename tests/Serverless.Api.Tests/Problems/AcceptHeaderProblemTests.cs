using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Serverless.Api.Tests.Support;
using Xunit;

namespace Serverless.Api.Tests.Problems;

/// <summary>An error is a problem document whatever the client's Accept says: never a bare status with an empty body.</summary>
public sealed class AcceptHeaderProblemTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("text/html")]
    [InlineData("text/html,application/xhtml+xml")]
    [InlineData("image/png")]
    [InlineData("application/json")]
    public async Task A_refused_request_gets_a_problem_document_for_any_accept(string accept)
    {
        foreach (var (path, token, status) in new[]
        {
            ("/users/not-a-guid", ApiFixture.AllScopes, HttpStatusCode.BadRequest),
            ("/users", null, HttpStatusCode.Unauthorized),
            ($"/users/{Guid.NewGuid()}", ApiFixture.AllScopes, HttpStatusCode.NotFound),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd(accept);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
            Assert.True(problem.RootElement.TryGetProperty("traceId", out _));
        }
    }
}
