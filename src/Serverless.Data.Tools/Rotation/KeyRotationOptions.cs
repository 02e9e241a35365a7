using Serverless.Data.Privacy;
using Serverless.Data.Tools.Migrations;

namespace Serverless.Data.Tools.Rotation;

public sealed record KeyRotationOptions
{
    /// <summary>Scan and count what would be rewritten; write nothing (no key version, no item, no checkpoint).</summary>
    public bool DryRun { get; init; }

    /// <summary>Make a new field key version the active one before moving the items (else: move them to the active one).</summary>
    public bool NewFieldKey { get; init; }

    /// <summary>Make a new blind-index key version the active one before moving the items.</summary>
    public bool NewBlindKey { get; init; }

    /// <summary>After the run, retire every live version no item uses any more.</summary>
    public bool Retire { get; init; }

    /// <summary>User or order rewrites per second across all segments; 0 is unlimited.</summary>
    public double RatePerSecond { get; init; }

    /// <summary>Parallel scan segments; falls back to 1 where the endpoint ignores segments (DynamoDB Local).</summary>
    public int Segments { get; init; } = 1;

    /// <summary>Items read per scan page; the checkpoint is saved after every page.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Rewrites in flight per segment.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>
    /// How long to wait after adding a version before the first item moves to it: every running instance keeps the
    /// keyring it unwrapped for up to <see cref="KeyringCacheOptions.MaxAge"/>, and one that has not seen the new
    /// version yet could neither open an item moved to it nor find it by its new token.
    /// </summary>
    public TimeSpan Settle { get; init; } = new KeyringCacheOptions().MaxAge;

    public void Validate()
    {
        if (RatePerSecond < 0)
        {
            throw new MigrationException("The rate must be 0 (unlimited) or positive.");
        }

        if (Segments is < 1 or > 1000)
        {
            throw new MigrationException("Segments must be between 1 and 1000.");
        }

        if (PageSize is < 1 or > 1000)
        {
            throw new MigrationException("The page size must be between 1 and 1000.");
        }

        if (Concurrency is < 1 or > 64)
        {
            throw new MigrationException("Concurrency must be between 1 and 64.");
        }

        if (Settle < TimeSpan.Zero)
        {
            throw new MigrationException("The settle time cannot be negative.");
        }
    }
}
