using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Serverless.Data.Privacy;

/// <summary>
/// The root key on AWS: a customer-managed KMS key. <c>GenerateDataKey</c> makes a keyring version (KMS returns the
/// key and its wrapped form), <c>Decrypt</c> unwraps one. The encryption context binds each wrapped key to its table,
/// purpose and version, and shows in CloudTrail beside every call. Every call is measured and traced (<see cref="KmsTelemetry"/>).
/// </summary>
public sealed class KmsRootKey(IAmazonKeyManagementService kms, string keyId) : IRootKey
{
    public string Id { get; } = string.IsNullOrWhiteSpace(keyId) ? throw new ArgumentException("A KMS key id or ARN is needed.", nameof(keyId)) : keyId.Trim();

    /// <summary>The client's region, for the calls' spans.</summary>
    private string? Region => kms.Config?.RegionEndpoint?.SystemName ?? kms.Config?.AuthenticationRegion;

    public async Task<WrappedKey> GenerateAsync(IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = new GenerateDataKeyRequest { KeyId = Id, KeySpec = DataKeySpec.AES_256, EncryptionContext = new Dictionary<string, string>(context) };
        var response = await KmsTelemetry.CallAsync(
            KmsTelemetry.GenerateDataKey, Region, () => kms.GenerateDataKeyAsync(request, cancellationToken)).ConfigureAwait(false);
        return new WrappedKey(response.Plaintext.ToArray(), response.CiphertextBlob.ToArray());
    }

    public async Task<byte[]> UnwrapAsync(byte[] wrapped, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var request = new DecryptRequest
            {
                KeyId = Id,
                CiphertextBlob = new MemoryStream(wrapped, writable: false),
                EncryptionContext = new Dictionary<string, string>(context),
            };
            var response = await KmsTelemetry.CallAsync(
                KmsTelemetry.Decrypt, Region, () => kms.DecryptAsync(request, cancellationToken)).ConfigureAwait(false);
            return response.Plaintext.ToArray();
        }
        catch (Exception e) when (e is InvalidCiphertextException or IncorrectKeyException or Amazon.KeyManagementService.Model.NotFoundException or DisabledException or KMSInvalidStateException)
        {
            throw new KeyUnavailableException($"KMS key {Id} refused to unwrap a keyring key: {e.GetType().Name}.", e);
        }
    }
}
