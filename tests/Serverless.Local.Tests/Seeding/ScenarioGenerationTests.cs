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
        var generated = EntityCounts.Of(DataSeeder.Items(new SeedRequest(scenario, Seed: 42), Sealing.Ephemeral()));

        Assert.Equal(ScenarioCounts.For(scenario), generated);
    }

    [Fact]
    public void The_same_seed_generates_the_same_items_and_another_seed_does_not()
    {
        // Byte for byte once the PII is decrypted: each ciphertext has a fresh nonce, and the seeds of a run are its own.
        var sealer = Sealing.Ephemeral();
        List<string> Generate(int seed) => [.. DataSeeder.Items(new SeedRequest(SeedScenario.Small, Seed: seed), sealer)
            .Select(i => Sealing.Open(i, sealer))
            .Where(i => i[Serverless.Data.Table.Attr.EntityType].S != Serverless.Data.Table.EntityTypes.UserKey)
            .Select(ItemText.Of)];
        var first = Generate(7);
        var again = Generate(7);
        var other = Generate(8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(first.Count, other.Count);
    }

    [Fact]
    public void Generated_users_have_realistic_distinct_values()
    {
        var sealer = Sealing.Ephemeral();
        var users = DataSeeder.Items(new SeedRequest(SeedScenario.Small), sealer)
            .Where(i => i["entityType"].S == "User")
            .Select(i => Sealing.Open(i, sealer))
            .ToList();

        Assert.Equal(100, users.Select(u => u["email"].S).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.True(users.Select(u => u["name"].S).Distinct().Count() > 90, "names should vary like real ones");
        Assert.All(users, u => Assert.Equal(SeedProportions.WordsPerUser, SearchTerms.Of(u["name"].S).Count));
        Assert.Contains(users, u => u.ContainsKey("phone"));
        Assert.Contains(users, u => u["status"].S == "inactive");
    }
}
