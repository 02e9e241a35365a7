namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// Where a run stands, saved in the table after every scan page: per scan segment the last evaluated key (or
/// done), and the counts so far. A run that is killed starts again from here.
/// </summary>
public sealed record MigrationCheckpoint
{
    public const string Running = "running";
    public const string Completed = "completed";

    public required MigrationDirection Direction { get; init; }

    public required string State { get; init; }

    public required IReadOnlyList<SegmentPosition> Segments { get; init; }

    public MigrationCounts Counts { get; init; } = new();

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public double RatePerSecond { get; init; }

    public bool IsRunning => State == Running;
}

/// <param name="LastKey">The scan's LastEvaluatedKey after the last finished page; null before the first.</param>
public sealed record SegmentPosition(bool Done, Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>? LastKey);

/// <param name="Examined">Users the scan returned: <paramref name="AlreadyDone"/> + <paramref name="Changed"/> + <paramref name="Skipped"/> + <paramref name="Failed"/>.</param>
/// <param name="Changed">Items written in the new shape.</param>
/// <param name="Skipped">Items whose conditional write failed: changed by someone else (or already migrated) since the scan read them.</param>
/// <param name="Failed">Items that cannot be migrated; each is reported with its reason and stays as it was.</param>
/// <param name="AlreadyDone">Users not in the shape this direction changes (already at its target version): nothing to do.</param>
public sealed record MigrationCounts(long Examined = 0, long Changed = 0, long Skipped = 0, long Failed = 0, long AlreadyDone = 0)
{
    public MigrationCounts Add(MigrationCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Examined + other.Examined, Changed + other.Changed, Skipped + other.Skipped, Failed + other.Failed, AlreadyDone + other.AlreadyDone);
    }
}
