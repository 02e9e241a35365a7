namespace Serverless.Data.Table;

/// <summary>The <c>schemaVersion</c> written for each entity type; readers upgrade older versions in memory.</summary>
public static class SchemaVersions
{
    /// <summary>
    /// 3: the PII fields are ciphertext under the user's key and the lookups blind indexes (docs/privacy.md); 2: <c>phone</c>
    /// became an attribute (version 1 kept it in <c>metadata.phone</c>). Versions 1 and 2 are plaintext.
    /// </summary>
    public const int User = 3;

    /// <summary>The last plaintext user schema: what the encryption migration moves from, and what its rollback restores.</summary>
    public const int PlaintextUser = 2;

    /// <summary>
    /// 2: the key became <c>changedAt#sequenceNumber#eventId</c> and the item keeps <c>sequenceNumber</c> (version 1
    /// was keyed <c>changedAt#eventId</c>, which left changes of one second, or one minute, in no particular order).
    /// Version 1 entries are read as they are, with no sequence number, until their ttl removes them.
    /// </summary>
    public const int AuditEntry = 2;

    /// <summary>Everything else is still at its first version.</summary>
    public const int Initial = 1;
}
