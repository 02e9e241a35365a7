namespace Serverless.Data.Table;

/// <summary>Settings of the single table and the data layer around it (bound from configuration by hosts).</summary>
public sealed record TableOptions
{
    public const int MinimumSigningKeyBytes = 32;

    public string TableName { get; init; } = "Serverless";

    /// <summary>
    /// Write shards per CreatedDateIndex month partition (and per users-by-status partition). One month is a
    /// hot partition at scale; more shards spread writes, and reads scatter-gather over all of them.
    /// Changing it is a migration: items keep the shard they were written with.
    /// </summary>
    public int CreatedDateShards { get; init; } = 1;

    /// <summary>How long a soft-deleted user can be restored before TTL purges it (the seed's purge_after).</summary>
    public TimeSpan SoftDeleteRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long an audit entry is kept after the change it records; becomes the entry's ttl.</summary>
    public TimeSpan AuditRetention { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Secret that signs pagination cursors (at least 32 bytes of UTF-8); a forged cursor then fails.</summary>
    public string CursorSigningKey { get; init; } = "";

    /// <summary>
    /// The key <see cref="CursorSigningKey"/> replaced, during a rotation: cursors it signed are still accepted (a
    /// client paging through a list when the key changes keeps its place), new ones are signed with the current key.
    /// Empty when no rotation is under way; remove it once the cursors it signed have had time to be used.
    /// </summary>
    public string PreviousCursorSigningKey { get; init; } = "";

    /// <summary>
    /// Lookups by email, name word and city also try the plaintext keys of items from before encryption (schema
    /// version 2 or older), and a new email is checked against them. Only while such items remain: on for a table being
    /// migrated (<c>migrate</c> says when none is left), off for any table created encrypted.
    /// </summary>
    public bool PlaintextLookups { get; init; }

    /// <summary>
    /// A read by id or by email that finds a plaintext user seals it in the background (its key, ciphertext, blind
    /// indexes; conditional on the item read, so a concurrent write wins), the lazy half of the encryption migration.
    /// A failure is logged without PII and never fails the read. Only while the table is being migrated.
    /// </summary>
    public bool SealOnRead { get; init; }

    public int DefaultPageLimit { get; init; } = 25;

    public int MaxPageLimit { get; init; } = 100;

    /// <summary>"Recent users" looks back at most this many days (so at most 13 month partitions).</summary>
    public int MaxRecentDays { get; init; } = 366;

    /// <summary>Fails fast at start-up instead of on the first request.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(TableName))
        {
            problems.Add("TableName is required.");
        }

        if (CreatedDateShards is < 1 or > 100)
        {
            problems.Add("CreatedDateShards must be between 1 and 100.");
        }

        if (SoftDeleteRetention <= TimeSpan.Zero)
        {
            problems.Add("SoftDeleteRetention must be positive.");
        }

        if (AuditRetention <= TimeSpan.Zero)
        {
            problems.Add("AuditRetention must be positive.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(CursorSigningKey ?? "") < MinimumSigningKeyBytes)
        {
            problems.Add($"CursorSigningKey must be at least {MinimumSigningKeyBytes} bytes.");
        }

        if (!string.IsNullOrEmpty(PreviousCursorSigningKey) && System.Text.Encoding.UTF8.GetByteCount(PreviousCursorSigningKey) < MinimumSigningKeyBytes)
        {
            problems.Add($"PreviousCursorSigningKey must be empty or at least {MinimumSigningKeyBytes} bytes.");
        }

        if (DefaultPageLimit < 1 || MaxPageLimit < DefaultPageLimit)
        {
            problems.Add("Page limits must satisfy 1 <= DefaultPageLimit <= MaxPageLimit.");
        }

        if (MaxRecentDays < 1)
        {
            problems.Add("MaxRecentDays must be positive.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid TableOptions: " + string.Join(" ", problems));
        }
    }
}
