namespace Serverless.Data.Tools.Migrations;

/// <param name="UsersAtV1">User items still at schema version 1 (read lazily upgraded until migrated).</param>
/// <param name="LastRun">The checkpoint of the latest run (running or completed); null if it never ran.</param>
/// <param name="RecordedFailures">Items the latest run could not change.</param>
public sealed record MigrationStatus(
    string MigrationId,
    string Description,
    long UsersAtV1,
    long UsersAtV2,
    MigrationCheckpoint? LastRun,
    int RecordedFailures)
{
    /// <summary>How the report names the users <see cref="UsersAtV1"/> counts (the shape the migration moves from).</summary>
    public string OldShape { get; init; } = "v1";

    /// <summary>How the report names the users <see cref="UsersAtV2"/> counts (the shape it moves to).</summary>
    public string NewShape { get; init; } = "v2";

    /// <summary>applied, rolled back, partly applied, not applied, or running.</summary>
    public string State => LastRun switch
    {
        { IsRunning: true } run => $"{run.Direction.ToName()} interrupted or running",
        _ when UsersAtV1 == 0 && UsersAtV2 == 0 => "no users",
        _ when UsersAtV1 == 0 => "applied",
        _ when UsersAtV2 == 0 => LastRun?.Direction == MigrationDirection.Down ? "rolled back" : "not applied",
        _ => "partly applied",
    };
}
