using Serverless.Local;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// The function as the deployed stack configures it: the template's environment with the values CloudFormation would
/// resolve (this API's id, the identity provider's issuer and audiences, the stack's cursor secret) and not the
/// Development environment, so nothing of the local stack's development values is accepted. The stack's FieldKey is a
/// key of moto's KMS.
/// </summary>
public sealed class DeployedLambdaFunctionFixture(DynamoDbLocalFixture dynamoDb, MotoKmsFixture kms) : LambdaFunctionFixture(dynamoDb)
{
    private string _fieldKey = "";

    public const string Issuer = "https://idp.example.com/tenant";

    public const string Audience = "serverless-api-client";

    /// <summary>A second accepted audience: the template passes JwtAudience's list joined with commas.</summary>
    public const string OtherAudience = "back-office-client";

    public override async ValueTask InitializeAsync()
    {
        _fieldKey = await kms.CreateKeyAsync(Xunit.TestContext.Current.CancellationToken);
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string> Inherited => new Dictionary<string, string>
    {
        ["Privacy__KmsKeyId"] = _fieldKey,
        ["Privacy__KmsEndpoint"] = kms.ServiceUrl.ToString(),
        [LocalEnvironment.DotnetVariable] = "Production",
        ["Auth__ApiId"] = HttpApiEvents.ApiId,
        ["Auth__Issuer"] = Issuer,
        ["Auth__Audience"] = Audience + "," + OtherAudience,
        ["Table__CursorSigningKey"] = "deployed-fixture-cursor-secret-0123456789abcdef",
    };

    public override byte[] CreateEvent(ApiRequest request) => HttpApiEvents.Create(request, Issuer, Audience);
}
