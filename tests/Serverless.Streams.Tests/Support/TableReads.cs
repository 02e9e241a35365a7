using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Audit;
using Serverless.Data.Items;
using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Domain.Audit;
using Serverless.Testing;

namespace Serverless.Streams.Tests.Support;

/// <summary>The test's own reads of a test table (unrecorded client).</summary>
internal static class TableReads
{
    public static async Task<IReadOnlyList<AuditEntry>> HistoryAsync(TestTable table, string entityType, Guid id, CancellationToken ct) =>
        await HistoryAsync(table, entityType, id.ToString("D"), ct);

    public static async Task<IReadOnlyList<AuditEntry>> HistoryAsync(TestTable table, string entityType, string recordId, CancellationToken ct)
    {
        var audit = new AuditRepository(new TableAccess(table.Admin, table.Options(), TimeProvider.System));
        var entries = new List<AuditEntry>();
        string? cursor = null;
        do
        {
            var page = await audit.HistoryAsync(entityType, recordId, new PageRequest(100, cursor), ct);
            entries.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return entries;
    }

    public static async Task<List<Dictionary<string, AttributeValue>>> AuditItemsAsync(TestTable table, CancellationToken ct) =>
        [.. (await table.AllItemsAsync(ct)).Where(i => i[Attr.EntityType].S == EntityTypes.AuditEntry)];

    /// <summary>Every item as stable text, to show that a replay changed nothing at all.</summary>
    public static async Task<List<string>> SnapshotAsync(TestTable table, CancellationToken ct) =>
        [.. (await table.AllItemsAsync(ct)).Select(AuditValuesOfItem).Order(StringComparer.Ordinal)];

    private static string AuditValuesOfItem(Dictionary<string, AttributeValue> item) =>
        item[Attr.PK].S + "|" + item[Attr.SK].S + "|" + string.Join(",", item.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => e.Key + "=" + (e.Value.S ?? e.Value.N ?? e.Value.BOOL?.ToString() ?? (e.Value.M is not null ? "M" + e.Value.M.Count : e.Value.L is not null ? "L" + e.Value.L.Count : "?"))));

    public static long Number(Dictionary<string, AttributeValue> item, string name) => new ItemReader(item).Long(name);
}
