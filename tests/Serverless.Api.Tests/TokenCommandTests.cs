using System.CommandLine;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Local;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>The local CLI's <c>token</c> command mints tokens the API accepts on Kestrel.</summary>
public sealed class TokenCommandTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_printed_token_is_accepted_by_the_API_with_exactly_its_scopes()
    {
        var (exit, output, _) = Run("token", "--scopes", "data.read data.write", "--subject", "alice", "--lifetime", "30m");
        Assert.Equal(0, exit);
        var token = output.Trim();

        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(token);
        Assert.Equal("alice", jwt.Subject);
        Assert.Equal("data.read data.write", jwt.Claims.Single(c => c.Type == "scope").Value);
        Assert.InRange(jwt.ValidTo - DateTime.UtcNow, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));

        using var created = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var audit = await api.SendAsync(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", token: token);
        await audit.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_end_user_token_acts_only_for_the_user_its_subject_names()
    {
        var (user, _) = await api.CreateAsync();
        var (other, _) = await api.CreateAsync();
        var (exit, output, _) = Run("token", "--subject", user.IdOf(), "--scopes", "self.read self.write");
        Assert.Equal(0, exit);
        var token = output.Trim();

        using var own = await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}", token: token);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var others = await api.SendAsync(HttpMethod.Get, $"/users/{other.IdOf()}", token: token);
        await others.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("self.read")]
    [InlineData("data.read self.write")]
    public void An_end_user_token_needs_a_user_id_as_its_subject(string scopes)
    {
        var (exit, output, error) = Run("token", "--scopes", scopes, "--subject", "alice");
        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("eyJ", output, StringComparison.Ordinal);
        Assert.Contains("--subject must be the id (UUID) of the user it acts for", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_the_dev_user_for_one_hour()
    {
        var (exit, output, _) = Run("token", "--scopes", "data.read");
        Assert.Equal(0, exit);
        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(output.Trim());
        Assert.Equal("dev-user", jwt.Subject);
        Assert.InRange(jwt.ValidTo - DateTime.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Theory]
    [InlineData("--scopes", "data.read data.delete")]
    [InlineData("--scopes", "data.read", "--lifetime", "soon")]
    [InlineData("--scopes", "data.read", "--lifetime", "-1h")]
    [InlineData("--scopes", "data.read", "--subject", " ")]
    public void Bad_arguments_fail_with_a_message_and_print_no_token(params string[] arguments)
    {
        var (exit, output, error) = Run(["token", .. arguments]);
        Assert.NotEqual(0, exit);
        // Parse errors print usage help on the output; a JWT (base64url JSON, "eyJ...") must not be among it.
        Assert.DoesNotContain("eyJ", output, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Scopes_are_required()
    {
        var (exit, output, _) = Run("token");
        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("eyJ", output, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { TokenCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
