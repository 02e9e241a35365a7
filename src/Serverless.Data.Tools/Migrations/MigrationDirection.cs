namespace Serverless.Data.Tools.Migrations;

public enum MigrationDirection { Up, Down }

public static class MigrationDirections
{
    public static string ToName(this MigrationDirection direction) => direction == MigrationDirection.Up ? "up" : "down";

    public static MigrationDirection Parse(string name) => name switch
    {
        "up" => MigrationDirection.Up,
        "down" => MigrationDirection.Down,
        _ => throw new MigrationException($"Unknown migration direction '{name}' in the checkpoint."),
    };
}
