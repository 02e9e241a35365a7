using Serverless.Data.Privacy;
using Serverless.Data.Users;
namespace Serverless.Data.Tools.Seeding;

/// <summary>The exact number of items of each entity type that <c>seed --scenario</c> writes.</summary>
public static class ScenarioCounts
{
    /// <summary>
    /// Generated scenarios follow <see cref="SeedProportions"/>; the edge scenario is counted from its fixed data
    /// (its shape does not depend on the seed, only its ids do).
    /// </summary>
    public static EntityCounts For(SeedScenario scenario) => scenario == SeedScenario.Edge
        ? EntityCounts.Of(EdgeCaseData.Create(seed: 1, createdDateShards: 1).Items(new UserItemSealer(KeyringSnapshot.Ephemeral())))
        : SeedProportions.CountsFor(SeedScenarios.UsersOf(scenario));
}
