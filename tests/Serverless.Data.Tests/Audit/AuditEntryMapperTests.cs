using Serverless.Data.Audit;
using Serverless.Data.Tests.Support;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Audit;

/// <summary>
/// An audit entry item survives write-read-write unchanged, and its stored shape is pinned under Approved/ (a
/// renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class AuditEntryMapperTests
{
    [Fact]
    public void An_audit_entry_survives_write_read_write()
    {
        var expires = Samples.Updated.AddDays(365);
        var audit = AuditEntryMapper.ToItem(Samples.AuditEntry(), expires);
        Assert.Equal(ItemJson.Render(audit), ItemJson.Render(AuditEntryMapper.ToItem(AuditEntryMapper.FromItem(audit), expires)));
    }

    [Fact]
    public void Audit_entry_item_shape_is_pinned() =>
        Approvals.Verify("AuditEntry", ItemJson.Render(AuditEntryMapper.ToItem(Samples.AuditEntry(), Samples.Updated.AddDays(365))));
}
