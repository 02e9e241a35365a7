using Serverless.Data.Tools.Seeding;
using Serverless.Domain;
using Serverless.Domain.Search;
using Serverless.Local.Seed;
using Xunit;

namespace Serverless.Local.Tests.Seeding;

/// <summary>The generated data itself, without a table: counts, determinism, validity.</summary>
public sealed class ScenarioGenerationTests
{
    [Theory]
    [InlineData(SeedScenario.Empty)]
    [InlineData(SeedScenario.Single)]
    [InlineData(SeedScenario.Small)]
    [InlineData(SeedScenario.Medium)]
    [InlineData(SeedScenario.Edge)]
    public void Generated_items_match_the_counts_the_scenario_promises(SeedScenario scenario)
    {
        var generated = EntityCounts.Of(DataSeeder.Items(new SeedRequest(scenario, Seed: 42)));

        Assert.Equal(ScenarioCounts.For(scenario), generated);
    }

    [Fact]
    public void Promised_counts_of_the_seed_sizes_are_exact_numbers()
    {
        Assert.Equal(0, ScenarioCounts.For(SeedScenario.Empty).Total);
        Assert.Equal(1, ScenarioCounts.For(SeedScenario.Single).Users);
        Assert.Equal(100, ScenarioCounts.For(SeedScenario.Small).Users);
        Assert.Equal(1_000_000, ScenarioCounts.For(SeedScenario.Large).Users);

        var medium = ScenarioCounts.For(SeedScenario.Medium);
        Assert.Equal(
            new EntityCounts
            {
                Users = 10_000,
                EmailMarkers = 10_000,
                UserWords = 20_000,
                UserCities = 15_000,
                Orders = 20_000,
                OrderItems = 40_000,
                Products = 500,
                Roles = 5,
                RoleNameMarkers = 5,
                UserRoles = 11_000,
                Comments = 10_000,
            },
            medium);
        Assert.Equal(136_510, medium.Total);
    }

    [Fact]
    public void The_same_seed_generates_the_same_items_byte_for_byte_and_another_seed_does_not()
    {
        var first = DataSeeder.Items(new SeedRequest(SeedScenario.Small, Seed: 7)).Select(ItemText.Of).ToList();
        var again = DataSeeder.Items(new SeedRequest(SeedScenario.Small, Seed: 7)).Select(ItemText.Of).ToList();
        var other = DataSeeder.Items(new SeedRequest(SeedScenario.Small, Seed: 8)).Select(ItemText.Of).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(first.Count, other.Count);
    }

    [Fact]
    public void Generated_users_have_realistic_distinct_values()
    {
        var users = DataSeeder.Items(new SeedRequest(SeedScenario.Small))
            .Where(i => i["entityType"].S == "User")
            .ToList();

        Assert.Equal(100, users.Select(u => u["email"].S).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.True(users.Select(u => u["name"].S).Distinct().Count() > 90, "names should vary like real ones");
        Assert.All(users, u => Assert.Equal(SeedProportions.WordsPerUser, SearchTerms.Of(u["name"].S).Count));
        Assert.Contains(users, u => u.ContainsKey("phone"));
        Assert.Contains(users, u => u["status"].S == "inactive");
    }

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
