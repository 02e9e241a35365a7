using System.Text.Json;
using Serverless.Data;
using Serverless.Data.Client.Faults;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tools.Rotation;
using Serverless.Data.Tools.Tests.Rotation;
using Serverless.Data.Users;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Faults;

/// <summary>
/// <c>rotate-keys --new-field-key --new-blind-key</c> with every DynamoDB call faulted (the SDK's own retries on), run
/// again after each failure as a user would (a rerun resumes the interrupted run and adds no second version) until a
/// run completes: every item under the one new version of each key, every user reading back as after a fault-free
/// run, the keyring holding the same versions; and the same with the keyring under a key in moto's KMS and every KMS
/// call faulted instead. docs/reliability.md holds the rows.
/// </summary>
public sealed class KeyRotationUnderFaultsTests(DynamoDbLocalFixture fixture, MotoKmsFixture kms)
{
    // Few: each throttle costs the SDK's back-off, and each run reads the whole table twice more (its version census).
    private const int RotatedUsers = 40;
    private static readonly KeyRotationOptions NewKeys = new() { NewFieldKey = true, NewBlindKey = true, Settle = TimeSpan.Zero };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Rotate_keys_rerun_after_each_failure_moves_every_item_once_to_one_new_version(FaultClass fault)
    {
        var root = LocalRootKey.Ephemeral();
        await using var clean = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await using var faulted = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var cleanData = await RotationData.WriteAsync(clean, root, RotatedUsers, Ct);
        var data = await RotationData.WriteAsync(faulted, root, RotatedUsers, Ct);
        await new KeyRotation(clean.Admin, clean.Name, root, _clock).RunAsync(NewKeys, null, null, Ct);

        var (client, counters) = ToolFaults.Faulted(fixture, fault, seed: 70);
        using (client)
        {
            // A rerun resumes the interrupted run; once it has added its versions it adds no more.
            var runs = await ToolFaults.RunUntilDoneAsync(() => new KeyRotation(client, faulted.Name, root, _clock).RunAsync(NewKeys, null, null, Ct));
            await AssertLikeTheFaultFreeRunAsync("rotate-keys", fault, runs, counters, clean, cleanData, faulted, data, root);
        }
    }

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Rotate_keys_under_a_kms_root_key_whose_calls_fail_moves_every_item_once_to_one_new_version(FaultClass fault)
    {
        // The keyring under a KMS key: a run unwraps the current versions (Decrypt) and wraps the new ones
        // (GenerateDataKey), the SDK's retries on as the CLI has them; DynamoDB is not faulted here.
        var keyId = await kms.CreateKeyAsync(Ct);
        var root = new KmsRootKey(kms.Client, keyId);
        await using var clean = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await using var faulted = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var cleanData = await RotationData.WriteAsync(clean, root, RotatedUsers, Ct);
        var data = await RotationData.WriteAsync(faulted, root, RotatedUsers, Ct);
        await new KeyRotation(clean.Admin, clean.Name, root, _clock).RunAsync(NewKeys, null, null, Ct);

        var (faultedKms, counters) = ToolFaults.FaultedKms(kms, fault, seed: 75);
        using var owned = faultedKms;
        // Each run is a new process's: a new root key over the faulted client, nothing unwrapped yet.
        var runs = await ToolFaults.RunUntilDoneAsync(() => new KeyRotation(faulted.Admin, faulted.Name, new KmsRootKey(faultedKms, keyId), _clock).RunAsync(NewKeys, null, null, Ct));

        Assert.True(counters.TotalInjected > 0, "no fault was injected");
        await AssertLikeTheFaultFreeRunAsync("rotate-keys, KMS faulted", fault, runs, counters, clean, cleanData, faulted, data, root);
    }

    /// <summary>
    /// Every item under the one new version of each key, every user reading back as after the fault-free run (lost: one
    /// that does not read; duplicated: one that differs, or a keyring version more), the same number of items.
    /// </summary>
    private async Task AssertLikeTheFaultFreeRunAsync(
        string tool, FaultClass fault, int runs, FaultCounters counters, TestTable clean, RotationData cleanData, TestTable faulted, RotationData data, IRootKey root)
    {
        var problems = await RotationData.ItemsNotUnderAsync(faulted, field: 2, blind: 2, Ct);
        var (lost, duplicated) = (0, 0);
        var (cleanUsers, faultedUsers) = (Repository(clean, root), Repository(faulted, root));
        // The same users in both tables (by their place: each table's ids are its own), read back with their keys.
        foreach (var (user, twin) in data.Users.Zip(cleanData.Users))
        {
            var got = await faultedUsers.GetAsync(user.Id, Ct);
            var want = (await cleanUsers.GetAsync(twin.Id, Ct))!;
            if (got is null)
            {
                lost++;
            }
            else if (Json(got) != Json(want with { Id = got.Id }))
            {
                duplicated++;
                problems.Add($"user {user.Id} differs from the fault-free run's");
            }
        }

        var keyring = await VersionsAsync(faulted, root);
        var cleanKeyring = await VersionsAsync(clean, root);
        duplicated += Math.Max(0, keyring.Count - cleanKeyring.Count);
        ToolFaults.Report(tool, fault, RotatedUsers, runs, lost, duplicated, counters);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(cleanKeyring, keyring);
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Equal(KeysOf(await clean.AllItemsAsync(Ct)).Count, KeysOf(await faulted.AllItemsAsync(Ct)).Count);
    }

    private UserRepository Repository(TestTable table, IRootKey root) => new(Access(table, root));

    private TableAccess Access(TestTable table, IRootKey root) => new(table.Admin, table.Options(), _clock, root);

    private async Task<List<(KeyPurpose, int)>> VersionsAsync(TestTable table, IRootKey root) =>
        [.. (await Access(table, root).Privacy.Keyring.VersionsAsync(Ct)).Select(v => (v.Purpose, v.Version)).Order()];

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static List<string> KeysOf(IEnumerable<Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>> items) =>
        [.. items.Select(i => i[Attr.PK].S[..Math.Min(i[Attr.PK].S.Length, 5)] + "|" + i[Attr.EntityType].S)];
}
