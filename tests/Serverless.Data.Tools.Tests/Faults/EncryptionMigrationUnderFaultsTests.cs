using System.Text.Json;
using Serverless.Data;
using Serverless.Data.Client.Faults;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Data.Users;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Faults;

/// <summary>
/// <c>migrate up users-sealed</c> and then <c>migrate down users-sealed</c> on users stored in plaintext, each with every
/// DynamoDB call faulted (the SDK's own retries on, as the CLI has them) and run again after each failure until a run
/// completes. After up every user reads back as it did before, sealed once (one key of its own, no PII in clear);
/// after down the table holds exactly the items it held before up; and both again with the keyring under a key in
/// moto's KMS and every KMS call faulted instead. docs/reliability.md holds the rows.
/// </summary>
public sealed class EncryptionMigrationUnderFaultsTests(DynamoDbLocalFixture fixture, MotoKmsFixture kms)
{
    private const int Users = 40;
    private const int KmsOutage = 5;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Sealing_and_unsealing_rerun_after_each_failure_rewrite_every_user_once(FaultClass fault)
    {
        var root = LocalRootKey.Ephemeral();
        // Each direction with faults of its own, so each row counts its own.
        var (upClient, upCounters) = ToolFaults.Faulted(fixture, fault, seed: 80);
        var (downClient, downCounters) = ToolFaults.Faulted(fixture, fault, seed: 90);
        using var upOwned = upClient;
        using var downOwned = downClient;

        await SealThenUnsealAsync(
            "users-sealed",
            fault,
            root,
            (upTable => new UserEncryptionMigration(upClient, upTable, root, _clock), upCounters),
            (downTable => new UserEncryptionMigration(downClient, downTable, root, _clock), downCounters));
    }

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Sealing_and_unsealing_under_a_kms_root_key_whose_calls_fail_rewrite_every_user_once(FaultClass fault)
    {
        // The keyring under a key in moto's KMS (DynamoDB not faulted). A run calls KMS only to unwrap the keyring's two
        // versions, before it writes anything, so a rate would mostly miss: KMS fails each of its first 5 calls instead
        // (an outage). The first run's first Decrypt fails with its 3 retries and the run stops with nothing written;
        // the next run, a new process's root key with nothing unwrapped, gets one more fault, its retry through, and completes.
        var keyId = await kms.CreateKeyAsync(Ct);
        var (upKms, upCounters) = ToolFaults.FaultedKms(kms, fault, seed: 85, firstCalls: KmsOutage);
        var (downKms, downCounters) = ToolFaults.FaultedKms(kms, fault, seed: 95, firstCalls: KmsOutage);
        using var upOwned = upKms;
        using var downOwned = downKms;

        await SealThenUnsealAsync(
            "users-sealed, KMS faulted",
            fault,
            new KmsRootKey(kms.Client, keyId),
            (upTable => new UserEncryptionMigration(fixture.Client, upTable, new KmsRootKey(upKms, keyId), _clock), upCounters),
            (downTable => new UserEncryptionMigration(fixture.Client, downTable, new KmsRootKey(downKms, keyId), _clock), downCounters),
            $"first {KmsOutage} calls");
        Assert.Equal((KmsOutage, KmsOutage), (upCounters.Injected(fault), downCounters.Injected(fault)));
    }

    private async Task SealThenUnsealAsync(
        string migration,
        FaultClass fault,
        IRootKey root,
        (Func<string, UserEncryptionMigration> Make, FaultCounters Counters) up,
        (Func<string, UserEncryptionMigration> Make, FaultCounters Counters) down,
        string? rate = null)
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, Users, Ct);
        var users = new UserRepository(new TableAccess(table.Admin, table.Options() with { PlaintextLookups = true }, _clock, root));
        // The keyring first (made on the first use; it belongs to no user), so "before" is the users' items alone.
        _ = await new TableAccess(table.Admin, table.Options(), _clock, root).Privacy.KeysAsync(Ct);
        var before = ItemText.Sorted(await table.AllItemsAsync(Ct));
        var read = new List<string>();
        for (var i = 0; i < Users; i++)
        {
            read.Add(JsonSerializer.Serialize(await users.GetAsync(PlaintextUsers.IdOf(i), Ct)));
        }

        var upRuns = await ToolFaults.RunUntilDoneAsync(() => up.Make(table.Name).UpAsync(new MigrationRunOptions(), null, Ct));
        var sealedItems = await table.AllItemsAsync(Ct);
        var upLost = 0;
        for (var i = 0; i < Users; i++)
        {
            upLost += JsonSerializer.Serialize(await users.GetAsync(PlaintextUsers.IdOf(i), Ct)) == read[i] ? 0 : 1;
        }

        // A user sealed twice would hold two keys of its own; a user left in clear still shows its email or city.
        var keysPerUser = sealedItems.Where(i => i[Attr.SK].S == UserKeyStore.SortKey).GroupBy(i => i[Attr.PK].S).ToList();
        var upDuplicated = keysPerUser.Sum(k => k.Count() - 1);
        var inClear = sealedItems.Select(ItemText.Of).Count(text =>
            Enumerable.Range(0, Users).Any(i => text.Contains(PlaintextUsers.EmailOf(i), StringComparison.OrdinalIgnoreCase))
            || text.Contains("Town ", StringComparison.Ordinal));
        ToolFaults.Report($"migrate up {migration}", fault, Users, upRuns, upLost, upDuplicated, up.Counters, rate);
        Assert.Equal((0, 0, 0), (upLost, upDuplicated, inClear));
        Assert.Equal(Users, keysPerUser.Count);

        var downRuns = await ToolFaults.RunUntilDoneAsync(() => down.Make(table.Name).DownAsync(new MigrationRunOptions(), null, Ct));
        var after = ItemText.Sorted((await table.AllItemsAsync(Ct)).Where(i => !i[Attr.PK].S.StartsWith("MIGRATION#", StringComparison.Ordinal)));
        var (downLost, downDuplicated) = ToolFaults.Compare(before, after);
        ToolFaults.Report($"migrate down {migration}", fault, Users, downRuns, downLost, downDuplicated, down.Counters, rate);
        Assert.Equal((0, 0), (downLost, downDuplicated));
        Assert.True(up.Counters.Injected(fault) > 0 && down.Counters.Injected(fault) > 0, "no fault was injected");
    }
}
