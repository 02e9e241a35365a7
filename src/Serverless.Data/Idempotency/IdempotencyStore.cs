using System.Security.Cryptography;
using System.Text;
using Serverless.Data.Privacy;

namespace Serverless.Data.Idempotency;

/// <summary>
/// Idempotency records in the table (<c>IDEMPOTENCY#&lt;record hash&gt;</c> / <c>IDEMPOTENCY</c>), after the in-progress /
/// completed records of AWS Powertools' idempotency utility: a request claims its record with a conditional put, runs,
/// and then completes it with its response (replayed to a retry until the ttl) or releases it (a retry runs again).
/// A claim whose request outlived <see cref="IdempotencyOptions.InProgressTimeout"/> counts as abandoned, so a retry
/// after a crash or a timeout is not refused until the ttl. The stored body is sealed (docs/idempotency.md).
/// </summary>
public sealed class IdempotencyStore
{
    /// <summary>A sealed body past this is not kept: the record is released, and a retry runs again (an item holds 400 KB).</summary>
    public const int MaxStoredBodyBytes = 300 * 1024;

    internal const string InProgress = "inProgress";
    internal const string Completed = "completed";

    // A claim races only a delete or an expiry between its put and its read: a few rounds settle it.
    private const int ClaimAttempts = 3;

    // A record may be taken over when it is missing, past its ttl (DynamoDB deletes expired items late), or in progress
    // past its deadline (the request that claimed it timed out or crashed without releasing it).
    private const string Claimable =
        "attribute_not_exists(#pk) OR #ttl <= :nowSeconds OR (#status = :inProgress AND #until <= :nowMs)";

    private readonly TableAccess _table;
    private readonly IdempotencyOptions _options;

    public IdempotencyStore(TableAccess table, IdempotencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(table.Options.SoftDeleteRetention);
        _table = table;
        _options = options;
    }

    public IdempotencyOptions Options => _options;

    /// <param name="recordHash">See <see cref="IdempotencyKeys.RecordHash"/>.</param>
    /// <param name="payloadHash">See <see cref="IdempotencyKeys.PayloadHash"/>.</param>
    public async Task<ClaimOutcome> ClaimAsync(string recordHash, string payloadHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordHash);
        ArgumentException.ThrowIfNullOrEmpty(payloadHash);
        var key = Keys.IdempotencyRecord(recordHash);
        for (var attempt = 0; ; attempt++)
        {
            var now = _table.Now();
            var claim = new IdempotencyClaim(recordHash, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), payloadHash);
            if (await TryPutClaimAsync(key, claim, now, cancellationToken).ConfigureAwait(false))
            {
                return new ClaimOutcome.Claimed(claim);
            }

            var existing = await _table.Reads.GetAsync(_table.TableName, key, consistent: true, cancellationToken).ConfigureAwait(false);
            if (existing is not null && !IsAbandoned(existing, _table.Now()))
            {
                var reader = new ItemReader(existing);
                if (!string.Equals(reader.String(Attr.PayloadHash), payloadHash, StringComparison.Ordinal))
                {
                    return new ClaimOutcome.PayloadMismatch();
                }

                return reader.String(Attr.Status) == Completed
                    ? new ClaimOutcome.Completed(await ResponseOfAsync(existing, recordHash, cancellationToken).ConfigureAwait(false))
                    : new ClaimOutcome.InProgress(reader.Time(Attr.InProgressUntil));
            }

            if (attempt + 1 >= ClaimAttempts)
            {
                // Taken and gone again every round: another request is working on it right now.
                return new ClaimOutcome.InProgress(now + _options.InProgressTimeout);
            }
        }
    }

    /// <summary>Stores the response on the claimed record, so the same request again replays it.</summary>
    /// <returns>
    /// False when nothing was stored: the claim was no longer this request's (it ran past its deadline and a retry took
    /// the record over), or the body is too large to keep (then the record is released).
    /// </returns>
    public async Task<bool> CompleteAsync(IdempotencyClaim claim, StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(response);
        if (response.Body.Length > MaxStoredBodyBytes)
        {
            await ReleaseAsync(claim, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var keys = await _table.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var version = keys.ActiveField;
        var sealedBody = FieldCipher.Seal(
            BodyKey(keys.Key(KeyPurpose.Field, version), claim.RecordHash), version, Guid.Empty, Attr.ResponseBody, new AttributeValue { B = new MemoryStream(response.Body.ToArray()) });
        var headers = response.Headers
            .Where(h => StoredResponse.ReplayedHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => Av.S(h.Value), StringComparer.Ordinal);
        try
        {
            await _table.Client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _table.TableName,
                    Key = Keys.IdempotencyRecord(claim.RecordHash).ToAttributes(),
                    UpdateExpression = "SET #status = :completed, #code = :code, #headers = :headers, #body = :body REMOVE #until",
                    // Only the claim this request holds: one taken over after its deadline is the retry's now.
                    ConditionExpression = "#token = :token AND #status = :inProgress",
                    ExpressionAttributeNames = new Dictionary<string, string>
                    {
                        ["#status"] = Attr.Status,
                        ["#code"] = Attr.ResponseStatus,
                        ["#headers"] = Attr.ResponseHeaders,
                        ["#body"] = Attr.ResponseBody,
                        ["#until"] = Attr.InProgressUntil,
                        ["#token"] = Attr.ClaimToken,
                    },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":completed"] = Av.S(Completed),
                        [":inProgress"] = Av.S(InProgress),
                        [":code"] = Av.N(response.StatusCode),
                        [":headers"] = Av.Map(headers),
                        [":body"] = sealedBody,
                        [":token"] = Av.S(claim.Token),
                    },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Deletes the claimed record (the request failed), so the same request again runs again.</summary>
    /// <returns>False when the record was no longer this request's claim (nothing deleted).</returns>
    public async Task<bool> ReleaseAsync(IdempotencyClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await _table.Client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = _table.TableName,
                    Key = Keys.IdempotencyRecord(claim.RecordHash).ToAttributes(),
                    ConditionExpression = "#token = :token AND #status = :inProgress",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#token"] = Attr.ClaimToken, ["#status"] = Attr.Status },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":token"] = Av.S(claim.Token), [":inProgress"] = Av.S(InProgress) },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>The in-progress item of a claim: no response yet, the payload's hash, the deadline and the ttl.</summary>
    internal Dictionary<string, AttributeValue> ClaimItem(ItemKey key, IdempotencyClaim claim, DateTimeOffset now)
    {
        var item = CommonAttributes.NewItem(key, EntityTypes.IdempotencyRecord, SchemaVersions.Initial);
        item[Attr.Status] = Av.S(InProgress);
        item[Attr.PayloadHash] = Av.S(claim.PayloadHash);
        item[Attr.ClaimToken] = Av.S(claim.Token);
        item[Attr.InProgressUntil] = Av.Time(now + _options.InProgressTimeout);
        item[Attr.Ttl] = Av.EpochSeconds(now + _options.Expiry);
        return item;
    }

    /// <summary>True when the record no longer holds anyone off: past its ttl, or in progress past its deadline.</summary>
    internal static bool IsAbandoned(IReadOnlyDictionary<string, AttributeValue> item, DateTimeOffset now)
    {
        if (ExpiryFilter.IsExpired(item, now))
        {
            return true;
        }

        var reader = new ItemReader(item);
        return reader.String(Attr.Status) == InProgress && reader.Time(Attr.InProgressUntil) <= now;
    }

    private async Task<bool> TryPutClaimAsync(ItemKey key, IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await _table.Client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = _table.TableName,
                    Item = ClaimItem(key, claim, now),
                    ConditionExpression = Claimable,
                    ExpressionAttributeNames = new Dictionary<string, string>
                    {
                        ["#pk"] = Attr.PK,
                        ["#ttl"] = Attr.Ttl,
                        ["#status"] = Attr.Status,
                        ["#until"] = Attr.InProgressUntil,
                    },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":nowSeconds"] = Av.EpochSeconds(now),
                        [":nowMs"] = Av.Time(now),
                        [":inProgress"] = Av.S(InProgress),
                    },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<StoredResponse> ResponseOfAsync(Dictionary<string, AttributeValue> item, string recordHash, CancellationToken cancellationToken)
    {
        var reader = new ItemReader(item);
        var keys = await _table.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var itemId = Keys.IdempotencyRecord(recordHash).ToString();
        var body = FieldCipher.Open(v => BodyKey(keys.Key(KeyPurpose.Field, v), recordHash), Guid.Empty, Attr.ResponseBody, item[Attr.ResponseBody], itemId);
        var headers = reader.Map(Attr.ResponseHeaders).ToDictionary(h => h.Key, h => h.Value.S, StringComparer.OrdinalIgnoreCase);
        return new StoredResponse(reader.Int(Attr.ResponseStatus), headers, body.B.ToArray());
    }

    // Each record's body has its own key, derived from the keyring's field key: a body sealed for one record does not
    // open as another's. The owner is no user (Guid.Empty); the ttl, shorter than any retention, is its erasure.
    private static byte[] BodyKey(byte[] fieldKey, string recordHash) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, fieldKey, 32, [], Encoding.UTF8.GetBytes("serverless/idempotency/" + recordHash));
}
