using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// The API on Kestrel as a deployment outside Development runs it: validating bearer tokens itself with a key, issuer
/// and audience of its own, so tokens of the local stack's development key are not accepted; its keyring's root key
/// is a KMS key (moto's), as a deployment outside Development needs.
/// </summary>
public sealed class DeployedApiFixture(DynamoDbLocalFixture dynamoDb, MotoKmsFixture kms) : ApiFixture(dynamoDb)
{
    private string _fieldKey = "";

    public const string Issuer = "https://idp.example.com/kestrel";

    public const string Audience = "kestrel-api";

    public const string SigningKey = "deployed-kestrel-signing-key-0123456789abcdef";

    protected override string EnvironmentName => "Production";

    /// <summary>A token this deployment accepts: its own key, issuer and audience.</summary>
    public static string DeployedToken(params string[] scopes) =>
        DevAuth.CreateToken(Subject, scopes, TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow, SigningKey, Issuer, Audience);

    public override async ValueTask InitializeAsync()
    {
        _fieldKey = await kms.CreateKeyAsync(Xunit.TestContext.Current.CancellationToken);
        await base.InitializeAsync();
    }

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
            ["Auth:SigningKey"] = SigningKey,
            ["Privacy:KmsKeyId"] = _fieldKey,
            ["Privacy:KmsEndpoint"] = kms.ServiceUrl.ToString(),
        });
    }
}
