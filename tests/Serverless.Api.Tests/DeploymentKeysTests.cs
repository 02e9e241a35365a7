using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Functions;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// The local stack's development values (the <c>token</c> command's signing key, its issuer and audience, the
/// development cursor key) are used and accepted only in the Development environment. Anywhere else a configuration
/// that lacks a real key fails when the function or host starts, with one message naming the setting to provide.
/// </summary>
public sealed class DeploymentKeysTests(DeployedApiFixture api) : IClassFixture<DeployedApiFixture>
{
    private const string CursorKey = "deployment-tests-cursor-secret-0123456789abcdef";

    // Named only: these functions fail (or succeed) at start, before any use of the key.
    private const string FieldKey = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-4697-8877-66554433aabb";

    /// <summary>The ApiFunction's configuration as deployed, but validating bearer tokens itself and with no signing key.</summary>
    private static Dictionary<string, string?> WithoutSigningKey() => new()
    {
        ["Auth:TrustHostPrincipal"] = "false",
        ["Auth:Issuer"] = "https://idp.example.com/tenant",
        ["Auth:Audience"] = "serverless-api-client",
        ["Table:CursorSigningKey"] = CursorKey,
        ["Privacy:KmsKeyId"] = FieldKey,
    };

    [Fact]
    public async Task A_function_told_to_validate_tokens_itself_without_a_signing_key_fails_at_start_naming_the_setting()
    {
        var message = await StartFailureAsync("Production", WithoutSigningKey());

        Assert.Contains("Auth:SigningKey (Auth__SigningKey) is not set", message, StringComparison.Ordinal);
        Assert.Contains("in the Production environment", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_without_a_cursor_key_fails_at_start_naming_the_setting()
    {
        var settings = Trusted();
        settings.Remove("Table:CursorSigningKey");

        var message = await StartFailureAsync("Production", settings);

        Assert.StartsWith("Table:CursorSigningKey (Table__CursorSigningKey) is not set", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_without_a_kms_key_fails_at_start_naming_the_setting()
    {
        var settings = Trusted();
        settings.Remove("Privacy:KmsKeyId");

        var message = await StartFailureAsync("Production", settings);

        Assert.StartsWith("Privacy:KmsKeyId (Privacy__KmsKeyId) is not set", message, StringComparison.Ordinal);
        Assert.Contains("in the Production environment", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_without_a_kms_key_starts_in_development_with_the_local_key_file()
    {
        var settings = WithoutSigningKey();
        settings.Remove("Privacy:KmsKeyId");

        var function = await FunctionCatalog.Registry.CreateAsync(FunctionCatalog.Api, Options("Development", settings), TestContext.Current.CancellationToken);

        await ((IAsyncDisposable)function).DisposeAsync();
    }

    [Fact]
    public async Task A_function_without_its_issuer_and_audience_fails_at_start_naming_both()
    {
        var settings = Trusted();
        settings.Remove("Auth:Issuer");
        settings.Remove("Auth:Audience");

        var message = await StartFailureAsync("Production", settings);

        Assert.Contains("Auth:Issuer (Auth__Issuer) is not set", message, StringComparison.Ordinal);
        Assert.Contains("Auth:Audience (Auth__Audience) is not set", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth:SigningKey", DevAuth.SigningKey, "Auth:SigningKey is the local stack's public development signing key")]
    [InlineData("Auth:Issuer", DevAuth.Issuer, "Auth:Issuer is the local stack's public development issuer")]
    [InlineData("Auth:Audience", DevAuth.Audience, "Auth:Audience is the local stack's public development audience")]
    [InlineData("Table:CursorSigningKey", Serverless.Api.Infrastructure.Data.DataSetup.DevCursorSigningKey, "Table:CursorSigningKey is the local stack's public development cursor key")]
    [InlineData("Table:PreviousCursorSigningKey", Serverless.Api.Infrastructure.Data.DataSetup.DevCursorSigningKey, "Table:PreviousCursorSigningKey is the local stack's public development cursor key")]
    public async Task A_development_value_given_explicitly_outside_development_is_refused_at_start(string setting, string value, string expected)
    {
        var settings = WithoutSigningKey();
        settings["Auth:SigningKey"] = "a-real-signing-key-of-this-deployment-0123456789";
        settings[setting] = value;

        var message = await StartFailureAsync("Production", settings);

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_configuration_starts_in_development_with_the_development_key()
    {
        var function = await FunctionCatalog.Registry.CreateAsync(FunctionCatalog.Api, Options("Development", WithoutSigningKey()), TestContext.Current.CancellationToken);

        await ((IAsyncDisposable)function).DisposeAsync();
    }

    [Fact]
    public async Task Kestrel_outside_development_without_a_signing_key_fails_at_start()
    {
        var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(WithoutSigningKey());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        // Composing the app already reads the auth settings; whichever step meets them first refuses.
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = ApiApp.Build(builder);
            await app.StartAsync(TestContext.Current.CancellationToken);
        });

        Assert.Contains("Auth:SigningKey (Auth__SigningKey) is not set", Messages(failure), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_a_token_from_the_token_command_is_401_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith($"The token's signature does not verify: it was not signed with the key of {DeployedApiFixture.Issuer}.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Outside_development_a_token_of_the_development_key_with_the_deployments_issuer_and_audience_is_401()
    {
        var forged = DevAuth.CreateToken(ApiFixture.Subject, [Scopes.Read, Scopes.Write], TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow,
            DevAuth.SigningKey, DeployedApiFixture.Issuer, DeployedApiFixture.Audience);
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), forged);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("The token's signature does not verify", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Outside_development_a_token_of_the_configured_key_is_let_through()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), DeployedApiFixture.DeployedToken(Scopes.Write));

        await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Outside_development_the_OpenAPI_document_needs_the_read_scope()
    {
        using var anonymous = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);

        using var writer = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json", token: DeployedApiFixture.DeployedToken(Scopes.Write));
        await writer.AssertProblemAsync(HttpStatusCode.Forbidden);

        using var reader = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json", token: DeployedApiFixture.DeployedToken(Scopes.Read));
        Assert.Equal(HttpStatusCode.OK, reader.StatusCode);
        Assert.Equal("application/json", reader.Content.Headers.ContentType?.MediaType);
    }

    private static Dictionary<string, string?> Trusted() => new()
    {
        ["Auth:TrustHostPrincipal"] = "true",
        ["Auth:Issuer"] = "https://idp.example.com/tenant",
        ["Auth:Audience"] = "serverless-api-client",
        ["Table:CursorSigningKey"] = CursorKey,
        ["Privacy:KmsKeyId"] = FieldKey,
    };

    /// <summary>Creates the ApiFunction as Lambda would in <paramref name="environment"/>; returns why its start failed.</summary>
    private static async Task<string> StartFailureAsync(string environment, Dictionary<string, string?> settings)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            FunctionCatalog.Registry.CreateAsync(FunctionCatalog.Api, Options(environment, settings), TestContext.Current.CancellationToken).AsTask());
        return Messages(failure);
    }

    private static FunctionOptions Options(string environment, Dictionary<string, string?> settings) => new()
    {
        Args = ["--environment", environment],
        ConfigureLogging = logging => logging.Output = Serverless.Testing.Telemetry.TelemetryTap.Process.Tee(null),
        ConfigureHost = host => host.Configuration.AddInMemoryCollection(settings),
    };

    private static string Messages(Exception failure) => failure is AggregateException many
        ? string.Join(" | ", many.Flatten().InnerExceptions.Select(e => e.Message))
        : failure.Message;
}
