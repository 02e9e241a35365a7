namespace Serverless.Data.Tools.Migrations;

/// <param name="Resumed">The run continued a checkpoint left by a run that stopped before the end.</param>
/// <param name="Segments">Scan segments actually used.</param>
/// <param name="Notices">Things the operator should know (e.g. segments ignored by the endpoint).</param>
/// <param name="Counts">For a real run, totals since the run started (across resumes; items written after a killed run's last checkpoint are not counted again). For a dry run, what would happen.</param>
public sealed record MigrationReport(
    string MigrationId,
    MigrationDirection Direction,
    bool DryRun,
    bool Resumed,
    int Segments,
    MigrationCounts Counts,
    IReadOnlyList<MigrationFailure> Failures,
    IReadOnlyList<string> Notices);
