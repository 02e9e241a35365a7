using System.CommandLine;
using System.Globalization;
using Serverless.Data.Tools.Seeding;

namespace Serverless.Local.Seed;

/// <summary><c>seed --scenario NAME</c>: the seed's test-data scenarios, written through the data layer's mappers.</summary>
public static class SeedCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = "empty (0 users), single (1), small (100), medium (10,000), large (1,000,000) or edge (boundary values: max lengths, unicode, special characters, balances 0.00 and 99999999.99).",
            Required = true,
        };
        scenario.AcceptOnlyFromAmong([.. SeedScenarios.Names]);
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same items, byte for byte.", DefaultValueFactory = _ => SeedDefaults.Seed };
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = $"The instant generated timestamps count back from (up to two years), e.g. 2025-06-30. Default {SeedDefaults.AsOf:yyyy-MM-dd} (fixed, so output does not depend on the day); pass today's date to make 'recent users' find seeded users.",
            CustomParser = result => DateTimeOffset.TryParse(result.Tokens.Single().Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                : throw new FormatException($"'{result.Tokens.Single().Value}' is not a date (yyyy-MM-dd or ISO-8601)."),
        };
        var parallelism = new Option<int>("--parallelism") { Description = "BatchWriteItem calls in flight (1-256).", DefaultValueFactory = _ => 8 };
        var shards = new Option<int>("--shards") { Description = "CreatedDateIndex write shards; must match the API's TableOptions:CreatedDateShards.", DefaultValueFactory = _ => 1 };
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption(createdIfMissing: true);

        var command = new Command(
            "seed",
            "Write one of the seed's test-data scenarios into the table (created if missing). Needs a running DynamoDB "
            + "(--endpoint or DYNAMODB_ENDPOINT); it never starts one, because an in-memory emulator that exits with the "
            + "command would keep nothing. Items are built by the data layer's mappers, so they are what the API writes. "
            + "Counts per user are fixed (2 name words, 1-2 cities, 2 orders of 2 items, 1-2 roles, 1 comment), so every "
            + "count is exact; seeding the same scenario and seed again overwrites the same items.")
        {
            scenario, seed, asOf, parallelism, shards, endpoint, table,
        };
        command.SetAction(GuardedAction.Of("seed", async (parse, ct) =>
        {
            _ = SeedScenarios.TryParse(parse.GetValue(scenario), out var chosen);
            var request = new SeedRequest(chosen, parse.GetValue(seed), parse.GetValue(asOf), parse.GetValue(shards), parse.GetValue(parallelism));
            if (request.CreatedDateShards is < 1 or > 100)
            {
                throw new CommandException("--shards must be between 1 and 100.");
            }

            if (request.Parallelism is < 1 or > 256)
            {
                throw new CommandException("--parallelism must be between 1 and 256.");
            }

            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var expected = ScenarioCounts.For(chosen);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Seeding scenario {chosen.ToName()} (seed {request.Seed}) into table {target.TableName} at {target.Endpoint}: {expected.Total:N0} items."));

            await using var progress = new ProgressDisplay(error, "seed", expected.Total, ProgressDisplay.IsTerminal(error));
            var written = await new DataSeeder(target.Client, TimeProvider.System).SeedAsync(target.TableName, request, n => progress.Advance(n), ct);
            await progress.CompleteAsync();

            foreach (var (type, count) in expected.ByEntityType)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {type,-12} {count,12:N0}"));
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {written:N0} items in {progress.Elapsed.TotalSeconds:0.0}s ({ProgressDisplay.Rate(written, progress.Elapsed)})."));
            return 0;
        }, GuardedAction.ResumableCancel));
        return command;
    }
}
