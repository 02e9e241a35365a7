using Serverless.Data.Tools.Seeding;


namespace Serverless.Local.Seed;

/// <param name="CreatedDateShards">Must match the API's TableOptions.CreatedDateShards, or the API will not find seeded users by date or status.</param>
public sealed record SeedRequest(
    SeedScenario Scenario,
    int Seed = SeedDefaults.Seed,
    DateTimeOffset? AsOf = null,
    int CreatedDateShards = 1,
    int Parallelism = 8);
