using Serverless.Data.Tools.Seeding;
using Xunit;

namespace Serverless.Data.Tools.Tests.Seeding;

/// <summary>What each seed scenario promises, in exact numbers.</summary>
public sealed class ScenarioCountsTests
{
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
                UserKeys = 10_000,
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
        // The seed's 136,510 items, and each user's own key (docs/privacy.md).
        Assert.Equal(146_510, medium.Total);
    }
}
