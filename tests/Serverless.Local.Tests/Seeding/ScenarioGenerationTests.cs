using Serverless.Data.Tools.Seeding;
using Serverless.Domain.Search;
using Serverless.Local.Seed;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Seeding;

/// <summary>The data the seed command generates, without a table: counts, determinism, realistic values.</summary>
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
}
