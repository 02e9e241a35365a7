using Serverless.Data.Tools.Seeding;
using Serverless.Domain;
using Serverless.Domain.Search;
using Xunit;

namespace Serverless.Data.Tools.Tests.Seeding;

/// <summary>The edge scenario's entities: valid, and each at a limit of the domain's rules.</summary>
public sealed class EdgeCaseDataTests
{
    [Fact]
    public void Edge_cases_pass_every_domain_rule_and_reach_each_limit()
    {
        var edge = EdgeCaseData.Create(seed: 1, createdDateShards: 1);

        Assert.Empty(edge.Violations());
        Assert.Contains(edge.Users, u => u.Email.Length == Limits.MaxString && u.Name.Length == Limits.MaxString);
        Assert.Contains(edge.Users, u => u.Addresses.Count == Limits.MaxAddresses && u.Addresses.All(a => a.Street.Length == Limits.MaxString && a.City.Length == Limits.MaxString));
        Assert.Contains(edge.Users, u => u.Metadata.Count == Limits.MaxMapEntries);
        Assert.Contains(edge.Users, u => SearchTerms.Of(u.Name).Count == Limits.MaxNameWords);
        Assert.Contains(edge.Users, u => u.Balance == 0.00m);
        Assert.Contains(edge.Users, u => u.Balance == Limits.MaxMoney);
        Assert.Contains(edge.Users, u => u.Phone == "+123456789012345");
        Assert.Contains(edge.Users, u => u.Name.Contains("😀", StringComparison.Ordinal));
        Assert.Contains(edge.Users, u => u.Name.Contains("محمد", StringComparison.Ordinal) && u.Name.Contains('"', StringComparison.Ordinal));
        Assert.Contains(edge.Users, u => u.Metadata.Values.Any(v => v.Contains('\\', StringComparison.Ordinal)));
        Assert.Contains(edge.Orders, o => o.Items.Count == Limits.MaxOrderItems);
        Assert.Contains(edge.Orders, o => o.Total == Limits.MaxMoney);
        Assert.Contains(edge.Comments, c => c.Content.Length == Limits.MaxCommentContent);
        Assert.Contains(edge.Products, p => p.Price == 0.00m);
    }
}
