using Amazon.DynamoDBv2.Model;
using Xunit;

namespace Serverless.Api.Tests.Support;

/// <summary>"Nothing was written": every item of the table, attribute for attribute, before and after a request.</summary>
public static class TableSnapshot
{
    public static async Task<List<string>> SnapshotAsync(this ApiFixture api) => Of(await api.ItemsAsync());

    public static async Task AssertUnchangedAsync(this ApiFixture api, List<string> before) =>
        Assert.Equal(before, await api.SnapshotAsync());

    private static List<string> Of(List<Dictionary<string, AttributeValue>> items) =>
        [.. items.Select(i => string.Join("|", i.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + Describe(a.Value)))).Order(StringComparer.Ordinal)];

    private static string Describe(AttributeValue v) =>
        v.S ?? v.N
        ?? (v.M is { Count: > 0 } m ? "{" + string.Join(",", m.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + ":" + Describe(e.Value))) + "}"
            : v.L is { Count: > 0 } l ? "[" + string.Join(",", l.Select(Describe)) + "]"
            : v.SS is { Count: > 0 } ss ? "<" + string.Join(",", ss.Order(StringComparer.Ordinal)) + ">"
            : v.BOOL?.ToString() ?? v.NULL?.ToString() ?? "?");
}
