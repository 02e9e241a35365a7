using DecryptRequest = Amazon.KeyManagementService.Model.DecryptRequest;
using Serverless.Data.Privacy;
using Serverless.Testing;

namespace Serverless.Data.Tests.Privacy;

/// <summary>
/// Both root keys hold the same contract: a generated key unwraps to itself under the context it was made with, and
/// under no other. KMS is moto's server (a real KMS wire protocol: GenerateDataKey, Decrypt with its encryption context);
/// the local key is a key file in a folder of the test's own.
/// </summary>
public sealed class RootKeyTests(MotoKmsFixture kms) : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly string _folder = Directory.CreateTempSubdirectory("root-key-tests-").FullName;

    public static TheoryData<string> Kinds => ["kms", "local"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_generated_key_unwraps_to_the_same_key_under_its_context(string kind)
    {
        var root = await RootAsync(kind);

        var made = await root.GenerateAsync(Context("field", 1), _ct);
        var unwrapped = await root.UnwrapAsync(made.Wrapped, Context("field", 1), _ct);

        Assert.Equal(32, made.Plaintext.Length);
        Assert.Equal(made.Plaintext, unwrapped);
        Assert.False(made.Wrapped.AsSpan().IndexOf(made.Plaintext) >= 0, "the wrapped form must not hold the key in clear");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Two_generated_keys_differ(string kind)
    {
        var root = await RootAsync(kind);

        var first = await root.GenerateAsync(Context("field", 1), _ct);
        var second = await root.GenerateAsync(Context("field", 1), _ct);

        Assert.NotEqual(first.Plaintext, second.Plaintext);
    }

    public static TheoryData<string, string, string> OtherContexts => new()
    {
        { "kms", "another purpose", "blind" },
        { "kms", "another version", "2" },
        { "kms", "another table", "other-table" },
        { "kms", "a pair missing", "" },
        { "local", "another purpose", "blind" },
        { "local", "another version", "2" },
        { "local", "another table", "other-table" },
        { "local", "a pair missing", "" },
    };

    [Theory]
    [MemberData(nameof(OtherContexts))]
    public async Task A_wrapped_key_given_another_encryption_context_is_refused(string kind, string change, string value)
    {
        var root = await RootAsync(kind);
        var made = await root.GenerateAsync(Context("field", 1), _ct);
        var other = Context("field", 1);
        switch (change)
        {
            case "another purpose":
                other["purpose"] = value;
                break;
            case "another version":
                other["version"] = value;
                break;
            case "another table":
                other["table"] = value;
                break;
            default:
                other.Remove("version");
                break;
        }

        var refused = await Assert.ThrowsAsync<KeyUnavailableException>(() => root.UnwrapAsync(made.Wrapped, other, _ct));

        Assert.DoesNotContain(Convert.ToBase64String(made.Plaintext), refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_wrapped_key_with_one_byte_changed_is_refused(string kind)
    {
        var root = await RootAsync(kind);
        var made = await root.GenerateAsync(Context("blind", 1), _ct);
        var tampered = made.Wrapped.ToArray();
        tampered[^5] ^= 0x01;

        await Assert.ThrowsAsync<KeyUnavailableException>(() => root.UnwrapAsync(tampered, Context("blind", 1), _ct));
    }

    [Fact]
    public async Task The_kms_root_key_wraps_with_generate_data_key_so_kms_decrypts_it_under_the_same_context()
    {
        var arn = await kms.CreateKeyAsync(_ct);
        var root = new KmsRootKey(kms.Client, arn);

        var made = await root.GenerateAsync(Context("field", 3), _ct);
        var direct = await kms.Client.DecryptAsync(
            new DecryptRequest { CiphertextBlob = new MemoryStream(made.Wrapped), EncryptionContext = Context("field", 3) }, _ct);

        Assert.Equal(made.Plaintext, direct.Plaintext.ToArray());
        Assert.Equal(arn, direct.KeyId);
        Assert.Equal(arn, root.Id);
    }

    [Fact]
    public async Task A_key_wrapped_by_another_local_root_key_is_refused()
    {
        var mine = new LocalRootKey(Path.Combine(_folder, "mine.key"));
        var theirs = new LocalRootKey(Path.Combine(_folder, "theirs.key"));
        var made = await theirs.GenerateAsync(Context("field", 1), _ct);

        await Assert.ThrowsAsync<KeyUnavailableException>(() => mine.UnwrapAsync(made.Wrapped, Context("field", 1), _ct));
        Assert.NotEqual(mine.Id, theirs.Id);
    }

    [Fact]
    public async Task The_local_key_file_is_made_on_first_use_readable_by_its_owner_only_and_used_again_after()
    {
        var path = Path.Combine(_folder, "keys", "root.key");
        var first = new LocalRootKey(path);
        Assert.False(File.Exists(path), "the file is made on first use, not when the provider is built");

        var made = await first.GenerateAsync(Context("field", 1), _ct);
        var again = await new LocalRootKey(path).UnwrapAsync(made.Wrapped, Context("field", 1), _ct);

        Assert.Equal(made.Plaintext, again);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Many_first_uses_at_once_agree_on_one_key_file()
    {
        // Test classes running in parallel each make their own provider over the same file on a fresh machine.
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_folder, "race-" + round, "root.key");
            using var start = new ManualResetEventSlim();
            var racers = Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            {
                start.Wait(_ct);
                return new LocalRootKey(path).Id;
            }, _ct)).ToList();
            start.Set();
            var ids = await Task.WhenAll(racers);

            Assert.Single(ids.Distinct());
            Assert.Equal(new LocalRootKey(path).Id, ids[0]);
            Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task A_local_key_file_that_is_not_32_bytes_in_base64_is_refused_naming_the_file()
    {
        var path = Path.Combine(_folder, "short.key");
        await File.WriteAllTextAsync(path, Convert.ToBase64String(new byte[16]), _ct);

        var refused = await Assert.ThrowsAsync<KeyUnavailableException>(() => new LocalRootKey(path).GenerateAsync(Context("field", 1), _ct));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<IRootKey> RootAsync(string kind) => kind == "kms"
        ? new KmsRootKey(kms.Client, await kms.CreateKeyAsync(_ct))
        : new LocalRootKey(Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".key"));

    private static Dictionary<string, string> Context(string purpose, int version) => new(StringComparer.Ordinal)
    {
        ["table"] = "root-key-tests",
        ["purpose"] = purpose,
        ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
