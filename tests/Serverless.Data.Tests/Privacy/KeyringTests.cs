using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Testing;

namespace Serverless.Data.Tests.Privacy;

/// <summary>
/// The keyring on a DynamoDB Local table with its root key in moto's KMS, every KMS request recorded: the first use
/// makes version 1 of each purpose, later uses are served from memory within the cache's age and uses, and a rotation
/// adds a version while the previous one stays readable until it is retired.
/// </summary>
public sealed class KeyringTests(DynamoDbLocalFixture dynamo, MotoKmsFixture kms) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly RequestRecorder _kmsRequests = new();
    private readonly ManualTimeProvider _clock = new(Start);
    private TestTable _table = null!;
    private KmsRootKey _root = null!;
    private string _keyArn = "";

    public async ValueTask InitializeAsync()
    {
        _table = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        _keyArn = await kms.CreateKeyAsync(_ct);
        _root = new KmsRootKey(kms.CreateClient(_kmsRequests), _keyArn);
    }

    [Fact]
    public async Task The_first_use_makes_version_1_of_the_field_and_the_blind_key_with_two_generate_data_key_calls()
    {
        var keyring = Keyring();

        var keys = await keyring.GetAsync(_ct);

        Assert.Equal(1, keys.ActiveField);
        Assert.Equal(1, keys.ActiveBlind);
        Assert.Equal(2, _kmsRequests.Operations.Count(o => o == "GenerateDataKey"));
        // Then each version is read back as stored and unwrapped, as every later load does.
        Assert.Equal(["GenerateDataKey", "GenerateDataKey", "Decrypt", "Decrypt"], _kmsRequests.Operations);
        Assert.Equal(4, keyring.RootKeyCalls);
        Assert.NotEqual(keys.Key(KeyPurpose.Field, 1), keys.Key(KeyPurpose.Blind, 1));

        var stored = (await _table.EveryItemAsync(_ct)).Where(i => i[Attr.PK].S == Serverless.Data.Privacy.Keyring.Partition).OrderBy(i => i[Attr.SK].S, StringComparer.Ordinal).ToList();
        Assert.Equal(["BLIND#0001", "FIELD#0001"], stored.Select(i => i[Attr.SK].S));
        Assert.All(stored, item =>
        {
            Assert.Equal(EntityTypes.KeyringVersion, item[Attr.EntityType].S);
            Assert.Equal("active", item[Attr.Status].S);
            Assert.Equal(_keyArn, item["rootKeyId"].S);
        });
        foreach (var (item, purpose) in stored.Zip(new[] { KeyPurpose.Blind, KeyPurpose.Field }))
        {
            Assert.False(item["wrappedKey"].B.ToArray().AsSpan().IndexOf(keys.Key(purpose, 1)) >= 0, "the table holds the key wrapped, never in clear");
        }
    }

    [Fact]
    public async Task A_thousand_uses_within_the_cache_age_make_no_further_kms_call()
    {
        var keyring = Keyring();
        var first = await keyring.GetAsync(_ct);
        var calls = _kmsRequests.Operations.Count;
        var dynamoRequests = _table.Requests.Operations.Count;

        for (var i = 0; i < 1_000; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            Assert.Same(first, await keyring.GetAsync(_ct));
        }

        Assert.Equal(calls, _kmsRequests.Operations.Count);
        Assert.Equal(dynamoRequests, _table.Requests.Operations.Count);
    }

    [Fact]
    public async Task Past_the_cache_age_the_next_use_unwraps_each_version_again_and_generates_nothing()
    {
        var keyring = Keyring(new KeyringCacheOptions { MaxAge = TimeSpan.FromMinutes(5) });
        var first = await keyring.GetAsync(_ct);
        _kmsRequests.Clear();

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await keyring.GetAsync(_ct);
        Assert.Empty(_kmsRequests.Operations);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var reloaded = await keyring.GetAsync(_ct);

        Assert.Equal(["Decrypt", "Decrypt"], _kmsRequests.Operations);
        Assert.NotSame(first, reloaded);
        Assert.Equal(first.Key(KeyPurpose.Field, 1), reloaded.Key(KeyPurpose.Field, 1));
        Assert.Equal(first.Key(KeyPurpose.Blind, 1), reloaded.Key(KeyPurpose.Blind, 1));
    }

    [Fact]
    public async Task Past_the_cache_uses_the_next_use_unwraps_again()
    {
        var keyring = Keyring(new KeyringCacheOptions { MaxUses = 10 });
        await keyring.GetAsync(_ct);
        _kmsRequests.Clear();

        for (var i = 0; i < 10; i++)
        {
            await keyring.GetAsync(_ct);
        }

        Assert.Empty(_kmsRequests.Operations);
        await keyring.GetAsync(_ct);
        Assert.Equal(["Decrypt", "Decrypt"], _kmsRequests.Operations);
    }

    [Fact]
    public async Task A_new_version_becomes_the_active_one_and_the_previous_one_stays_readable_until_retired()
    {
        var keyring = Keyring();
        var before = await keyring.GetAsync(_ct);
        var user = Guid.NewGuid();
        var seed = UserKeyStore.NewSeed();
        var old = new UserFieldKeys(before, user, seed).Seal(Attr.Email, new AttributeValue { S = "old@example.com" });

        var added = await keyring.AddVersionAsync(KeyPurpose.Field, _ct);
        var after = await keyring.GetAsync(_ct);

        Assert.Equal(2, added);
        Assert.Equal(2, after.ActiveField);
        Assert.Equal(1, after.ActiveBlind);
        Assert.Equal(before.Key(KeyPurpose.Field, 1), after.Key(KeyPurpose.Field, 1));
        Assert.NotEqual(after.Key(KeyPurpose.Field, 1), after.Key(KeyPurpose.Field, 2));
        var keys = new UserFieldKeys(after, user, seed);
        Assert.Equal("old@example.com", keys.Open(Attr.Email, old, "USER#x").S);
        Assert.Equal(2, FieldCipher.HeaderOf(keys.Seal(Attr.Email, new AttributeValue { S = "new@example.com" }), "USER#x").Version);
        var versions = await keyring.VersionsAsync(_ct);
        Assert.Equal(KeyStatus.Live, versions.Single(v => v.Purpose == KeyPurpose.Field && v.Version == 1).Status);
        Assert.Equal(KeyStatus.Active, versions.Single(v => v.Purpose == KeyPurpose.Field && v.Version == 2).Status);

        _kmsRequests.Clear();
        await keyring.RetireAsync(KeyPurpose.Field, 1, _ct);
        var retired = await keyring.GetAsync(_ct);

        // Only what is still readable is unwrapped: field 2 and blind 1.
        Assert.Equal(["Decrypt", "Decrypt"], _kmsRequests.Operations);
        Assert.Throws<KeyUnavailableException>(() => retired.Key(KeyPurpose.Field, 1));
        var refused = Assert.Throws<FieldDecryptionException>(() => new UserFieldKeys(retired, user, seed).Open(Attr.Email, old, "USER#x"));
        Assert.Contains("retired", refused.Message, StringComparison.Ordinal);
        Assert.Equal(KeyStatus.Retired, (await keyring.VersionsAsync(_ct)).Single(v => v.Purpose == KeyPurpose.Field && v.Version == 1).Status);
    }

    [Fact]
    public async Task The_active_version_cannot_be_retired()
    {
        var keyring = Keyring();
        await keyring.GetAsync(_ct);

        await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => keyring.RetireAsync(KeyPurpose.Blind, 1, _ct));
        Assert.Equal(1, (await keyring.GetAsync(_ct)).ActiveBlind);
    }

    [Fact]
    public async Task Eight_keyrings_starting_at_once_on_an_empty_table_make_exactly_one_version_of_each_purpose_and_all_use_it()
    {
        var keyrings = Enumerable.Range(0, 8).Select(_ => Keyring()).ToList();

        var snapshots = await Task.WhenAll(keyrings.Select(k => k.GetAsync(_ct).AsTask()));

        var versions = await keyrings[0].VersionsAsync(_ct);
        Assert.Equal(2, versions.Count);
        Assert.Single(versions, v => v.Purpose == KeyPurpose.Field && v.Version == 1);
        Assert.Single(versions, v => v.Purpose == KeyPurpose.Blind && v.Version == 1);
        Assert.All(snapshots, s => Assert.Equal(snapshots[0].Key(KeyPurpose.Field, 1), s.Key(KeyPurpose.Field, 1)));
        Assert.All(snapshots, s => Assert.Equal(snapshots[0].Key(KeyPurpose.Blind, 1), s.Key(KeyPurpose.Blind, 1)));
    }

    [Fact]
    public async Task A_keyring_whose_root_key_is_another_kms_key_cannot_unwrap_the_stored_versions()
    {
        await Keyring().GetAsync(_ct);
        var other = new Keyring(_table.Client, _table.Name, new KmsRootKey(kms.Client, await kms.CreateKeyAsync(_ct)), new KeyringCacheOptions(), _clock);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => other.GetAsync(_ct).AsTask());

        // KMS answers IncorrectKeyException (a KeyUnavailableException here); moto answers AccessDeniedException.
        Assert.True(
            refused is KeyUnavailableException || refused is Amazon.KeyManagementService.AmazonKeyManagementServiceException { ErrorCode: "AccessDeniedException" },
            $"{refused.GetType().Name}: {refused.Message}");
    }

    [Fact]
    public async Task A_keyring_wrapped_by_another_local_key_file_is_refused_naming_the_key_that_wrapped_it()
    {
        var theirs = LocalRootKey.Ephemeral();
        await new Keyring(_table.Client, _table.Name, theirs, new KeyringCacheOptions(), _clock).GetAsync(_ct);
        var mine = LocalRootKey.Ephemeral();

        var refused = await Assert.ThrowsAsync<KeyUnavailableException>(
            () => new Keyring(_table.Client, _table.Name, mine, new KeyringCacheOptions(), _clock).GetAsync(_ct).AsTask());

        Assert.Contains($"The local root key ({mine.Id}) did not wrap this key", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"version 1 of table {_table.Name} was wrapped by {theirs.Id}.", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    public async ValueTask DisposeAsync() => await _table.DisposeAsync();

    private Keyring Keyring(KeyringCacheOptions? options = null) =>
        new(_table.Client, _table.Name, _root, options ?? new KeyringCacheOptions(), _clock);
}
