using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Privacy;

/// <summary>A key of the keyring as it is made: its plaintext (kept in memory only) and its wrapped form (stored).</summary>
public sealed record WrappedKey(byte[] Plaintext, byte[] Wrapped);

/// <summary>
/// The top of the key hierarchy: it wraps the keyring's keys and nothing else. On AWS a KMS key (whose material never
/// leaves KMS); locally a key file. Every call to it is counted, because on AWS each one is a paid, rate-limited KMS call.
/// </summary>
public interface IRootKey
{
    /// <summary>Which key wrapped a keyring version (stored beside it): a KMS key id, or "local:" and a fingerprint.</summary>
    string Id { get; }

    /// <summary>A new random 256-bit key, and the same key wrapped under <paramref name="context"/>.</summary>
    Task<WrappedKey> GenerateAsync(IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken);

    /// <summary>The plaintext of a key this root wrapped under the same <paramref name="context"/>.</summary>
    /// <exception cref="KeyUnavailableException">The wrapped key is not this root's, or the context differs.</exception>
    Task<byte[]> UnwrapAsync(byte[] wrapped, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken);
}

/// <summary>A key that cannot be had: unknown, retired, destroyed, or refused by its root. Its message names no plaintext.</summary>
public sealed class KeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The local stack's root key: 32 random bytes in a file (mode 0600) in the local cache folder, made on first use. It
/// stands in for KMS on a developer's machine; whoever holds the file can read the local table's PII, as whoever may
/// call kms:Decrypt can on AWS.
/// </summary>
public sealed class LocalRootKey : IRootKey
{
    /// <summary>Where the local stack, the CLI and the tests keep it unless told otherwise (relative to the working directory).</summary>
    public static string DefaultPath => Path.Combine(".local", "keys", "root.key");

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly Lazy<byte[]> _key;

    public LocalRootKey(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path_ = System.IO.Path.GetFullPath(path);
        _key = new Lazy<byte[]>(() => LoadOrCreate(Path_), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A root key that lives only in this process (unit tests, benchmarks): nothing it wrapped outlives it.</summary>
    public static LocalRootKey Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    private LocalRootKey(byte[] key)
    {
        Path_ = "";
        _key = new Lazy<byte[]>(key);
    }

    private string Path_ { get; }

    public string Id => "local:" + Convert.ToHexStringLower(SHA256.HashData(_key.Value).AsSpan(0, 8));

    public Task<WrappedKey> GenerateAsync(IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        var plaintext = RandomNumberGenerator.GetBytes(32);
        var wrapped = new byte[NonceBytes + plaintext.Length + TagBytes];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Encrypt(wrapped.AsSpan(0, NonceBytes), plaintext, wrapped.AsSpan(NonceBytes, plaintext.Length), wrapped.AsSpan(NonceBytes + plaintext.Length), Aad(context));
        return Task.FromResult(new WrappedKey(plaintext, wrapped));
    }

    public Task<byte[]> UnwrapAsync(byte[] wrapped, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (wrapped.Length != NonceBytes + 32 + TagBytes)
        {
            throw new KeyUnavailableException("The wrapped key is not one the local root key made.");
        }

        var plaintext = new byte[32];
        try
        {
            using var aes = new AesGcm(_key.Value, TagBytes);
            aes.Decrypt(wrapped.AsSpan(0, NonceBytes), wrapped.AsSpan(NonceBytes, 32), wrapped.AsSpan(NonceBytes + 32), plaintext, Aad(context));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new KeyUnavailableException($"The local root key ({Id}) did not wrap this key, or wrapped it for another context.", e);
        }

        return Task.FromResult(plaintext);
    }

    /// <summary>The context as KMS binds an encryption context: every pair, in name order.</summary>
    internal static byte[] Aad(IReadOnlyDictionary<string, string> context) =>
        Encoding.UTF8.GetBytes(string.Join('\n', context.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)));

    private static byte[] LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            TryCreate(path);
        }

        return Read(path);
    }

    /// <summary>
    /// Makes the file with an exclusive create (O_CREAT | O_EXCL), so of many first uses at once (test classes in
    /// parallel, two processes starting) exactly one writes a key and every other reads that one. A move of a finished
    /// temporary file into place is not enough: where the file system refuses hard links, .NET's no-overwrite move
    /// checks for the target and then renames, and a second racer's rename replaces a key the first already used.
    /// </summary>
    private static void TryCreate(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new FileStream(path, options);
            // One write of 44 bytes: a reader sees the file empty or whole.
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another first use made it: everyone uses that one.
        }
    }

    private static byte[] Read(string path)
    {
        // The moment between another racer's create and its write, the file is there and empty.
        string text;
        var waited = 0;
        while ((text = File.ReadAllText(path).Trim()).Length == 0 && waited < 2000)
        {
            Thread.Sleep(10);
            waited += 10;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new KeyUnavailableException($"The local root key file {path} is not 32 bytes in base64.", e);
        }

        return key.Length == 32 ? key : throw new KeyUnavailableException($"The local root key file {path} is not 32 bytes in base64.");
    }
}
