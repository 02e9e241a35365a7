using Serverless.Data.Privacy;

namespace Serverless.Data.Tools.Rotation;

/// <summary>One keyring version.</summary>
public sealed record KeyVersion(KeyPurpose Purpose, int Version)
{
    public override string ToString() => $"{(Purpose == KeyPurpose.Field ? "field" : "blind")} {Version}";
}

/// <param name="FieldVersion">The field version the items were moved to (for a dry run: would be).</param>
/// <param name="BlindVersion">The blind version the items were moved to (for a dry run: would be).</param>
/// <param name="Added">Versions this run made (for a dry run: would make).</param>
/// <param name="Counts">For a real run, totals since the run started (across resumes; items written after a killed run's last checkpoint count as already current). For a dry run, what would happen.</param>
/// <param name="Before">Items per version when this run started.</param>
/// <param name="After">Items per version when it ended; null for a dry run.</param>
/// <param name="Unused">Live versions (neither active nor retired) no item uses any more: they can be retired.</param>
/// <param name="Retired">Versions this run retired (<see cref="KeyRotationOptions.Retire"/>).</param>
public sealed record KeyRotationReport(
    bool DryRun,
    bool Resumed,
    int Segments,
    int FieldVersion,
    int BlindVersion,
    IReadOnlyList<KeyVersion> Added,
    KeyRotationCounts Counts,
    VersionCensus Before,
    VersionCensus? After,
    IReadOnlyList<KeyVersion> Unused,
    IReadOnlyList<KeyVersion> Retired,
    IReadOnlyList<string> Notices,
    TimeSpan Duration);
