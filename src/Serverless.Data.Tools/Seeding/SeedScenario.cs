namespace Serverless.Data.Tools.Seeding;

/// <summary>The seed's test-data scenarios ("Testing Data" / "Data Scenarios").</summary>
public enum SeedScenario
{
    /// <summary>Nothing: the table exists and is empty of seeded data.</summary>
    Empty,

    /// <summary>One user with its dependants.</summary>
    Single,

    /// <summary>100 users.</summary>
    Small,

    /// <summary>10,000 users.</summary>
    Medium,

    /// <summary>1,000,000 users (about 13 million items; minutes to hours against DynamoDB Local).</summary>
    Large,

    /// <summary>A fixed set of boundary values: maximum lengths, unicode and special characters, boundary balances.</summary>
    Edge,
}

public static class SeedScenarios
{
    /// <summary>The names accepted on the command line, in the order the seed lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["empty", "single", "small", "medium", "large", "edge"];

    public static string ToName(this SeedScenario scenario) => Names[(int)scenario];

    public static bool TryParse(string? name, out SeedScenario scenario)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                scenario = (SeedScenario)i;
                return true;
            }
        }

        scenario = default;
        return false;
    }

    /// <summary>Users of the generated scenarios (the seed's sizes); the edge scenario has its own fixed set.</summary>
    public static int UsersOf(SeedScenario scenario) => scenario switch
    {
        SeedScenario.Empty => 0,
        SeedScenario.Single => 1,
        SeedScenario.Small => 100,
        SeedScenario.Medium => 10_000,
        SeedScenario.Large => 1_000_000,
        SeedScenario.Edge => EdgeCaseData.UserCount,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "Unknown scenario."),
    };
}
