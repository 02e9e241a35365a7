namespace Serverless.Data.Table;

/// <summary>The <c>schemaVersion</c> written for each entity type; readers upgrade older versions in memory.</summary>
public static class SchemaVersions
{
    /// <summary>2: <c>phone</c> became an attribute (version 1 kept it in <c>metadata.phone</c>).</summary>
    public const int User = 2;

    /// <summary>Everything else is still at its first version.</summary>
    public const int Initial = 1;
}
