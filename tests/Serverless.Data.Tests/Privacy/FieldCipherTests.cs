using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Testing;

namespace Serverless.Data.Tests.Privacy;

/// <summary>
/// A field's ciphertext through a user's keys (a keyring on a DynamoDB Local table under a local root key that lives in
/// this process only): it opens for its owner and field, and for nothing else; a failure names the item, never the value.
/// Blind index tokens: one per value, version and purpose.
/// </summary>
public sealed class FieldCipherTests(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    private const string ItemId = "USER#6f1d2c3b-aaaa-4bbb-8ccc-123456789abc";
    private const string Secret = "ada.lovelace.unique-7731@example.com";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private TestTable _table = null!;
    private Keyring _keyring = null!;

    public async ValueTask InitializeAsync()
    {
        _table = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        _keyring = new Keyring(_table.Client, _table.Name, LocalRootKey.Ephemeral(), new KeyringCacheOptions(), TimeProvider.System);
    }

    public static TheoryData<string> Shapes => ["S", "M", "L"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_value_sealed_for_a_user_opens_to_the_same_value(string shape)
    {
        var keys = await UserAsync();
        var value = Value(shape);

        var sealedValue = keys.Seal(Attr.Addresses, value);
        var opened = keys.Open(Attr.Addresses, sealedValue, ItemId);

        Assert.True(FieldCipher.IsCiphertext(sealedValue));
        Assert.Null(sealedValue.S);
        Assert.Equal(Render(value), Render(opened));
        Assert.Equal((keys.Keyring.ActiveField, keys.Owner), FieldCipher.HeaderOf(sealedValue, ItemId));
    }

    [Fact]
    public async Task The_ciphertext_holds_no_part_of_the_value_and_two_seals_of_one_value_differ()
    {
        var keys = await UserAsync();

        var first = keys.Seal(Attr.Email, new AttributeValue { S = Secret }).B.ToArray();
        var second = keys.Seal(Attr.Email, new AttributeValue { S = Secret }).B.ToArray();

        Assert.NotEqual(first, second);
        Assert.False(first.AsSpan().IndexOf("lovelace"u8) >= 0);
        Assert.DoesNotContain("lovelace", Convert.ToBase64String(first), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ciphertext_given_to_another_user_does_not_open_and_the_error_names_the_item_not_the_value()
    {
        var owner = await UserAsync();
        var other = await UserAsync();
        var sealedValue = owner.Seal(Attr.Email, new AttributeValue { S = Secret });

        var refused = Assert.Throws<FieldDecryptionException>(() => other.Open(Attr.Email, sealedValue, ItemId));

        AssertSafe(refused, Attr.Email);
        Assert.Contains("another user", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ciphertext_whose_owner_is_rewritten_to_another_user_does_not_open_for_that_user()
    {
        var owner = await UserAsync();
        var other = await UserAsync();
        var bytes = owner.Seal(Attr.Email, new AttributeValue { S = Secret }).B.ToArray();
        other.Owner.TryWriteBytes(bytes.AsSpan(4, 16), bigEndian: true, out _);

        var refused = Assert.Throws<FieldDecryptionException>(() => other.Open(Attr.Email, Binary(bytes), ItemId));

        AssertSafe(refused, Attr.Email);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_field_does_not_open()
    {
        var keys = await UserAsync();
        var sealedValue = keys.Seal(Attr.Email, new AttributeValue { S = Secret });

        var refused = Assert.Throws<FieldDecryptionException>(() => keys.Open(Attr.Name, sealedValue, ItemId));

        AssertSafe(refused, Attr.Name);
    }

    [Fact]
    public async Task A_user_whose_key_seed_was_replaced_cannot_open_what_the_erased_seed_sealed()
    {
        var keys = await UserAsync();
        var sealedValue = keys.Seal(Attr.Phone, new AttributeValue { S = "+44 20 7946 0000" });
        var restored = new UserFieldKeys(keys.Keyring, keys.Owner, UserKeyStore.NewSeed());

        var refused = Assert.Throws<FieldDecryptionException>(() => restored.Open(Attr.Phone, sealedValue, ItemId));

        Assert.Contains(ItemId, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("7946", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_single_byte_changed_after_the_marker_byte_makes_a_ciphertext_fail_to_open()
    {
        var keys = await UserAsync();
        var original = keys.Seal(Attr.Email, new AttributeValue { S = Secret }).B.ToArray();

        // From the format byte on: the version, the owner, the nonce, the ciphertext and the tag.
        for (var i = 1; i < original.Length; i++)
        {
            var tampered = original.ToArray();
            tampered[i] ^= 0x20;

            var refused = Assert.Throws<FieldDecryptionException>(() => keys.Open(Attr.Email, Binary(tampered), ItemId));
            Assert.Equal(ItemId, refused.ItemId);
            Assert.DoesNotContain(Secret, refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_value_that_is_not_a_ciphertext_is_returned_as_stored()
    {
        var keys = await UserAsync();
        var plain = new AttributeValue { S = Secret };

        Assert.Same(plain, keys.Open(Attr.Email, plain, ItemId));
        Assert.False(FieldCipher.IsCiphertext(plain));
        Assert.False(FieldCipher.IsCiphertext(Binary([0xC5, 1, 0, 1])));
    }

    [Fact]
    public async Task Blind_tokens_are_the_same_for_one_value_and_differ_across_purposes_values_and_tables()
    {
        var keys = await _keyring.GetAsync(_ct);
        var otherTable = await OtherTableKeysAsync();

        var token = BlindIndex.Token(keys, 1, BlindIndex.Email, Secret);

        Assert.Equal(token, BlindIndex.Token(keys, 1, BlindIndex.Email, Secret));
        Assert.NotEqual(token, BlindIndex.Token(keys, 1, BlindIndex.Word, Secret));
        Assert.NotEqual(token, BlindIndex.Token(keys, 1, BlindIndex.Email, Secret + "x"));
        Assert.NotEqual(token, BlindIndex.Token(otherTable, 1, BlindIndex.Email, Secret));
        Assert.Matches("^1\\.[A-Za-z0-9_-]{43}$", token);
        Assert.Equal(1, BlindIndex.VersionOf(token));
        Assert.Equal(0, BlindIndex.VersionOf(Secret));
        Assert.DoesNotContain("lovelace", token, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task During_a_blind_key_rotation_tokens_differ_across_versions_and_lookups_try_the_active_one_first()
    {
        var before = await _keyring.GetAsync(_ct);
        var old = BlindIndex.Token(before, 1, BlindIndex.City, "london");

        await _keyring.AddVersionAsync(KeyPurpose.Blind, _ct);
        var during = await _keyring.GetAsync(_ct);
        var tokens = BlindIndex.Tokens(during, BlindIndex.City, "london");

        Assert.Equal(2, during.ActiveBlind);
        Assert.Equal([BlindIndex.Token(during, 2, BlindIndex.City, "london"), old], tokens);
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Equal(2, BlindIndex.VersionOf(tokens[0]));

        await _keyring.RetireAsync(KeyPurpose.Blind, 1, _ct);
        var after = await _keyring.GetAsync(_ct);

        Assert.Equal([tokens[0]], BlindIndex.Tokens(after, BlindIndex.City, "london"));
        Assert.Throws<KeyUnavailableException>(() => BlindIndex.Token(after, 1, BlindIndex.City, "london"));
    }

    [Fact]
    public async Task The_field_key_and_the_blind_key_are_never_the_same_key()
    {
        var keys = await _keyring.GetAsync(_ct);

        Assert.NotEqual(keys.Key(KeyPurpose.Field, 1), keys.Key(KeyPurpose.Blind, 1));
    }

    public async ValueTask DisposeAsync() => await _table.DisposeAsync();

    private async Task<UserFieldKeys> UserAsync() => new(await _keyring.GetAsync(_ct), Guid.NewGuid(), UserKeyStore.NewSeed());

    private async Task<KeyringSnapshot> OtherTableKeysAsync()
    {
        await using var other = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        return await new Keyring(other.Client, other.Name, LocalRootKey.Ephemeral(), new KeyringCacheOptions(), TimeProvider.System).GetAsync(_ct);
    }

    private static void AssertSafe(FieldDecryptionException refused, string field)
    {
        Assert.Equal(ItemId, refused.ItemId);
        Assert.Equal(field, refused.Field);
        Assert.Contains(ItemId, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("lovelace", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static AttributeValue Binary(byte[] bytes) => new() { B = new MemoryStream(bytes) };

    private static AttributeValue Value(string shape) => shape switch
    {
        "S" => new AttributeValue { S = Secret },
        "M" => new AttributeValue
        {
            M = new()
            {
                ["street"] = new() { S = "12 St James's Square" },
                ["city"] = new() { S = "London" },
                ["isDefault"] = new() { BOOL = true },
                ["floor"] = new() { N = "3" },
                ["geo"] = new() { M = new() { ["lat"] = new() { N = "51.5074" }, ["lon"] = new() { N = "-0.1340" } } },
            },
        },
        _ => new AttributeValue
        {
            L =
            [
                new() { M = new() { ["type"] = new() { S = "home" }, ["city"] = new() { S = "London" } } },
                new() { S = "Ünïcödé ✓" },
                new() { N = "-12.5" },
                new() { L = [new() { BOOL = false }] },
            ],
        },
    };

    private static string Render(AttributeValue value) => ItemJson.Render(new Dictionary<string, AttributeValue> { ["v"] = value });
}
