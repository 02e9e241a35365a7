namespace Serverless.Data.Tools.Migrations;

/// <summary>A migration cannot run as asked (e.g. another direction is half done); nothing was written.</summary>
public sealed class MigrationException(string message) : Exception(message);
