using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Writing;

namespace Serverless.Local.Seed;

/// <summary>Creates the table if needed and writes a scenario's items; what <c>seed</c> runs.</summary>
public sealed class DataSeeder(IAmazonDynamoDB client, TimeProvider timeProvider)
{
    /// <summary>The scenario's items in write order; the same request always yields the same items (their PII sealed by <paramref name="sealer"/>, so the ciphertexts differ).</summary>
    public static IEnumerable<Dictionary<string, AttributeValue>> Items(SeedRequest request, UserItemSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(request);
        var asOf = request.AsOf ?? SeedDefaults.AsOf;
        return request.Scenario switch
        {
            SeedScenario.Empty => [],
            SeedScenario.Edge => EdgeCaseData.Create(request.Seed, request.CreatedDateShards, asOf).Items(sealer),
            _ => new RealisticDataGenerator(request.Seed, request.CreatedDateShards, asOf).Items(SeedScenarios.UsersOf(request.Scenario), sealer),
        };
    }

    /// <returns>The number of items written (always <c>ScenarioCounts.For(scenario).Total</c>).</returns>
    public async Task<long> SeedAsync(string tableName, SeedRequest request, Action<int>? onWritten, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await TableSetup.EnsureCreatedAsync(client, tableName, cancellationToken).ConfigureAwait(false);
        var writer = new BatchWriter(client, new BatchWriteOptions { Parallelism = request.Parallelism }, timeProvider);
        // The table's own keyring (made on first use), so the API reads what the seed wrote.
        var keys = await new FieldProtection(client, tableName, FieldProtection.DefaultLocalRootKey(), timeProvider).KeysAsync(cancellationToken).ConfigureAwait(false);
        return await writer.PutAllAsync(tableName, Items(request, new UserItemSealer(keys)), onWritten, cancellationToken).ConfigureAwait(false);
    }
}
