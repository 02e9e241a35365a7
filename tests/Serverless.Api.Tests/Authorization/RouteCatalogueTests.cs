using System.Text.RegularExpressions;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Authorization;

/// <summary>
/// docs/security.md's table of every route is the authorization model users read: it must list exactly the app's
/// routes, each with the scopes its policy admits and the rule it declares, so a route added or a rule changed without
/// the document fails here.
/// </summary>
public sealed partial class RouteCatalogueTests
{
    [Fact]
    public void The_security_document_lists_every_route_with_its_scopes_and_rule()
    {
        var documented = DocumentedRoutes();
        var actual = AppRoute.All().ToDictionary(
            r => r.Key,
            r => r.Anonymous ? ("none", "open") : (string.Join(", ", r.Rule!.Scopes), r.Rule.Name));

        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        var wrong = actual.Where(r => documented[r.Key] != r.Value)
            .Select(r => $"{r.Key}: the document says [{documented[r.Key].Scopes}] {documented[r.Key].Rule}, the app [{r.Value.Item1}] {r.Value.Item2}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Every_rule_a_route_declares_is_explained_in_the_security_document()
    {
        var text = File.ReadAllText(RepoPaths.Of("docs", "security.md"));
        var explained = RuleRow().Matches(text).Select(m => m.Groups["rule"].Value).ToHashSet(StringComparer.Ordinal);
        var declared = Infrastructure.Auth.Access.All.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        Assert.True(declared.SetEquals(explained), $"rules declared: {string.Join(", ", declared.Order())}; explained: {string.Join(", ", explained.Order())}");
    }

    /// <summary>The rows of the "Every route" table: | `GET /users/{id}` | `data.read`, `self.read` | own-user | ... |</summary>
    private static Dictionary<string, (string Scopes, string Rule)> DocumentedRoutes()
    {
        var text = File.ReadAllText(RepoPaths.Of("docs", "security.md"));
        var rows = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (Match row in RouteRow().Matches(text))
        {
            var key = row.Groups["route"].Value;
            Assert.True(rows.TryAdd(key, (row.Groups["scopes"].Value.Replace("`", "", StringComparison.Ordinal).Trim(), row.Groups["rule"].Value.Trim())), $"{key} is listed twice.");
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    [GeneratedRegex(@"^\| `(?<route>(?:GET|POST|PUT|PATCH|DELETE) /[^`]*)` \| (?<scopes>[^|]+) \| (?<rule>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex RouteRow();

    [GeneratedRegex(@"^\| `(?<rule>[a-z-]+)` \| [^|]*`data\.", RegexOptions.Multiline)]
    private static partial Regex RuleRow();
}
