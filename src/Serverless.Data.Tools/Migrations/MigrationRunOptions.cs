namespace Serverless.Data.Tools.Migrations;

public sealed record MigrationRunOptions
{
    /// <summary>Scan and count what would change; write nothing (no items, no checkpoint, no failure records).</summary>
    public bool DryRun { get; init; }

    /// <summary>Item writes per second across all segments; 0 is unlimited.</summary>
    public double RatePerSecond { get; init; }

    /// <summary>Parallel scan segments; falls back to 1 where the endpoint ignores segments (DynamoDB Local).</summary>
    public int Segments { get; init; } = 1;

    /// <summary>Items read per scan page; the checkpoint is saved after every page.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Conditional writes in flight per segment.</summary>
    public int Concurrency { get; init; } = 8;

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
    }
}
