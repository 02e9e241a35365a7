using Amazon.KeyManagementService;
using Amazon.Runtime;
using Serverless.Data.Client;
using Serverless.Data.Client.Faults;
using Serverless.Data.Privacy;

namespace Serverless.Api.Infrastructure.Data;

/// <summary>
/// Configuration section <c>Privacy</c>: which root key wraps the keyring's field and blind keys. On AWS the stack's
/// customer-managed KMS key (<c>Privacy__KmsKeyId</c>, the FieldKey's ARN from template.yaml); in the Development
/// environment, when no KMS key is named, the local key file (<see cref="FieldProtection.DefaultLocalRootKey"/>).
/// </summary>
public sealed class PrivacySettings
{
    public const string Section = "Privacy";

    /// <summary>The local stack's variable for a KMS endpoint (moto's server in the tests); used when <see cref="KmsEndpoint"/> is not set.</summary>
    public const string KmsEndpointVariable = "KMS_ENDPOINT";

    /// <summary>The KMS key (id, ARN or alias) that wraps the keyring; unset only in Development, where the local key file does.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>An explicit KMS endpoint (moto's server). Unset on AWS, where the SDK finds region and credentials in the Lambda environment.</summary>
    public string? KmsEndpoint { get; set; }

    /// <summary>Signing region for an explicit endpoint.</summary>
    public string Region { get; set; } = DynamoDbClients.DefaultRegion;

    public string? EffectiveKmsEndpoint =>
        string.IsNullOrWhiteSpace(KmsEndpoint) ? Environment.GetEnvironmentVariable(KmsEndpointVariable) : KmsEndpoint;

    public bool UsesKms => !string.IsNullOrWhiteSpace(KmsKeyId);

    /// <summary>The KMS client: AWS's regional endpoint, or an explicit one (with stand-in credentials when it is local).</summary>
    public IAmazonKeyManagementService CreateKmsClient()
    {
        if (EffectiveKmsEndpoint is not { Length: > 0 } url || string.IsNullOrWhiteSpace(url))
        {
            return new AmazonKeyManagementServiceClient();
        }

        var endpoint = new Uri(url.Trim(), UriKind.Absolute);
        var config = new AmazonKeyManagementServiceConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = Region };
        if (!DynamoDbClients.IsLocal(endpoint))
        {
            return new AmazonKeyManagementServiceClient(config);
        }

        // serve --faults faults a local KMS (moto) as it does the local DynamoDB: the same spec, its own draws.
        if (Environment.GetEnvironmentVariable(DynamoDbClients.FaultsVariable) is { Length: > 0 } faults)
        {
            FaultInjection.Attach(config, FaultOptions.Parse(faults));
        }

        // moto takes any credentials; only a local endpoint gets stand-ins, any other uses the SDK's chain.
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials("local", "local"), config);
    }
}

/// <summary>
/// The privacy settings, checked when the host starts: outside Development a KMS key is required, because the local key
/// file would put the key that opens every user's PII beside the code (in the Lambda package or its /tmp), with no key
/// policy, no CloudTrail record and no way to revoke it.
/// </summary>
internal sealed class PrivacySettingsValidation(IHostEnvironment environment) : IValidateOptions<PrivacySettings>
{
    public ValidateOptionsResult Validate(string? name, PrivacySettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.UsesKms && !environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail(
                $"Privacy:KmsKeyId (Privacy__KmsKeyId) is not set: give the KMS key that wraps the field and blind-index keys "
                + $"in the {environment.EnvironmentName} environment (template.yaml passes the FieldKey's ARN); the local key "
                + "file is used only in Development, which the local stack runs with DOTNET_ENVIRONMENT=Development.");
        }

        if (options.EffectiveKmsEndpoint is { Length: > 0 } endpoint && !string.IsNullOrWhiteSpace(endpoint) && !Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out _))
        {
            return ValidateOptionsResult.Fail($"Privacy:KmsEndpoint ({PrivacySettings.KmsEndpointVariable}) is not an absolute URL.");
        }

        return ValidateOptionsResult.Success;
    }
}
