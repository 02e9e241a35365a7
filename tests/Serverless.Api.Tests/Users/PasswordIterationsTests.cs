using System.Net;
using Microsoft.Extensions.Options;
using Serverless.Api.Tests.Support;
using Serverless.Data.Table;
using Serverless.Domain.Security;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Users;

/// <summary>The password hash's cost is configuration (<c>PasswordHashing:Iterations</c>), bounded, and stored with each hash.</summary>
public sealed class PasswordIterationsTests(FewerIterationsFixture api, DynamoDbLocalFixture dynamoDb) : IClassFixture<FewerIterationsFixture>
{
    [Fact]
    public async Task A_created_user_s_password_is_hashed_with_the_configured_iterations_and_the_count_is_stored_with_it()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes);
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);

        var stored = (await api.OpenedUserItemAsync(created.GetProperty("id").GetString()!))[Attr.PasswordHash].S;

        Assert.StartsWith($"{PasswordHasher.Algorithm}${PasswordHasher.MinIterations}$", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_OWASP_s_figure_and_a_hash_made_at_another_count_still_verifies()
    {
        Assert.Equal(600_000, new Serverless.Api.Infrastructure.Passwords.PasswordHashingOptions().Iterations);
        var cheaper = PasswordHasher.Hash("correct horse battery staple", PasswordHasher.MinIterations);

        Assert.True(PasswordHasher.Verify("correct horse battery staple", cheaper));
        Assert.False(PasswordHasher.Verify("correct horse battery stapler", cheaper));
    }

    [Fact]
    public async Task An_iteration_count_below_the_floor_stops_the_app_at_start_naming_the_setting()
    {
        var app = new TooFewIterationsFixture(dynamoDb);
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.InitializeAsync().AsTask());
            Assert.Contains("PasswordHashing:Iterations", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(PasswordHasher.MinIterations - 1)]
    [InlineData(PasswordHasher.MaxIterations + 1)]
    public void The_hasher_refuses_a_count_outside_its_bounds(int iterations) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHasher.Hash("correct horse battery staple", iterations));
}
