namespace Serverless.DynamoDbLocal;

public sealed record DynamoDbLocalOptions
{
    /// <summary>The environment variable that points everything at an existing endpoint instead of starting one.</summary>
    public const string EndpointVariable = "DYNAMODB_ENDPOINT";

    /// <summary>The environment variable that overrides the cache folder.</summary>
    public const string CacheVariable = "DYNAMODB_LOCAL_CACHE";

    /// <summary>The environment variable that overrides <see cref="BindAddress"/> (e.g. 0.0.0.0 for <c>sam local</c>'s containers).</summary>
    public const string BindVariable = "DYNAMODB_LOCAL_BIND";

    /// <summary>Loopback: what DynamoDB Local listens on unless told otherwise.</summary>
    public const string LoopbackAddress = "127.0.0.1";

    /// <summary>Every interface, as DynamoDB Local listens by itself.</summary>
    public const string AnyAddress = "0.0.0.0";

    /// <summary>
    /// The address DynamoDB Local listens on; null means <c>DYNAMODB_LOCAL_BIND</c>, else <see cref="LoopbackAddress"/>.
    /// The emulator accepts any credentials, so on any other address every host that reaches it can read and change
    /// every table: listen there only when something outside this machine (a container) must reach it.
    /// </summary>
    public string? BindAddress { get; init; }

    public string EffectiveBindAddress
    {
        get
        {
            var chosen = BindAddress ?? Environment.GetEnvironmentVariable(BindVariable);
            if (string.IsNullOrWhiteSpace(chosen))
            {
                return LoopbackAddress;
            }

            chosen = chosen.Trim();
            if (chosen is "*" or "::")
            {
                return AnyAddress;
            }

            return System.Net.IPAddress.TryParse(chosen, out _)
                ? chosen
                : throw new DynamoDbLocalException($"The DynamoDB Local bind address '{chosen}' is not an IP address (e.g. {LoopbackAddress}, or {AnyAddress} for every interface).");
        }
    }

    /// <summary>Where the unpacked emulator is kept; null means <see cref="DefaultCacheDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Where DynamoDB Local keeps its data: in memory (the default: tests, small stacks), a scratch database on disk, or a kept one.</summary>
    public DynamoDbLocalStorage Storage { get; init; } = DynamoDbLocalStorage.Memory;

    /// <summary>The folder of a <see cref="DynamoDbLocalStorage.Directory"/> database; null means <c>data</c> next to the emulator.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// The JVM's maximum heap (<c>-Xmx</c>). DynamoDB Local's live heap is small (about 120 MB while a bulk write
    /// runs); unbounded, the JVM grows it to a quarter of the machine's memory before collecting hard. What ran it out
    /// of 1 GB (and then of 2 GB) on the large scenario was a Scan without a Limit, which it answers by reading every
    /// remaining item into the heap (<c>ScanPages</c> in Serverless.Data says more); with a Limit it needs none of that.
    /// </summary>
    public string JavaHeap { get; init; } = "1g";

    /// <summary>How long to wait for the emulator to answer before giving up.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The repository's ignored <c>.dynamodb-local</c> folder when running from a checkout (found by walking up to
    /// Serverless.sln), else the user's cache folder. <c>DYNAMODB_LOCAL_CACHE</c> overrides both.
    /// </summary>
    public static string DefaultCacheDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
                {
                    return Path.Combine(dir.FullName, ".dynamodb-local");
                }
            }
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(home, "serverless", "dynamodb-local");
    }
}

/// <summary>Where DynamoDB Local keeps a table's items, index entries and stream records.</summary>
public enum DynamoDbLocalStorage
{
    /// <summary>
    /// In the JVM's native memory (<c>-inMemory</c>): the fastest for small data, gone when it stops. About 4 KB of
    /// resident memory an item of this table (the item, its index entries, its stream record), so the large seed
    /// scenario (14.65 million items) does not fit a 24 GiB machine.
    /// </summary>
    Memory,

    /// <summary>
    /// A throwaway database on disk (<c>-dbPath</c> in a folder of its own under the cache, deleted when the server
    /// stops), tuned for speed (journal in memory, no syncs): resident memory bounded whatever the data's size,
    /// within a fifth of <see cref="Memory"/>'s write rate.
    /// </summary>
    Scratch,

    /// <summary>A database kept in <see cref="DynamoDbLocalOptions.DataDirectory"/> across runs (write-ahead log, synced at checkpoints).</summary>
    Directory,
}
