using Serverless.Data.Tools.Migrations;

namespace Serverless.Data.Tools.Rotation;

/// <summary>
/// Where a rotation stands, saved in the table after every scan page (MIGRATION#rotate-keys / RUN): the versions it
/// moves the items to, per scan segment the last evaluated key (or done), and the counts so far. A run that is killed
/// starts again from here; one whose target versions are no longer the active ones is superseded by a new run.
/// </summary>
public sealed record KeyRotationCheckpoint
{
    public const string Running = "running";
    public const string Completed = "completed";

    public required int FieldVersion { get; init; }

    public required int BlindVersion { get; init; }

    public required string State { get; init; }

    public required IReadOnlyList<SegmentPosition> Segments { get; init; }

    public KeyRotationCounts Counts { get; init; } = new();

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When the first item may move: the versions this run added plus the settle time (see <see cref="KeyRotationOptions.Settle"/>).</summary>
    public DateTimeOffset ReadyAt { get; init; }

    public bool IsRunning => State == Running;
}
