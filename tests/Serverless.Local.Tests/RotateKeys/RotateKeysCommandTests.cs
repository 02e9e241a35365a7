using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tools.Rotation;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Local.RotateKeys;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.RotateKeys;

/// <summary>
/// The rotate-keys command through the CLI, on the small seed scenario against DynamoDB Local: with the local key
/// file as seed uses it, and with a KMS key on moto's server. The rotation itself: Serverless.Data.Tools.Tests.
/// </summary>
public sealed class RotateKeysCommandTests(DynamoDbLocalFixture fixture, MotoKmsFixture kms)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task New_field_and_blind_keys_move_every_item_retire_the_old_versions_and_the_report_holds_no_pii()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var sealer = await Sealing.ForTableAsync(table.Admin, table.Name, Ct);
        var items = DataSeeder.Items(new SeedRequest(SeedScenario.Small), sealer).ToList();
        await new BatchWriter(table.Admin, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(table.Name, items, null, Ct);
        var users = items.Where(i => i[Attr.EntityType].S == EntityTypes.User).Select(i => Sealing.Open(i, sealer)).ToList();
        var orders = items.Count(i => i[Attr.EntityType].S == EntityTypes.Order);

        var dry = await Cli.RunAsync(RotateKeysCommand.Create(), "rotate-keys", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name, "--new-field-key", "--new-blind-key", "--dry-run");
        var result = await Cli.RunAsync(RotateKeysCommand.Create(), "rotate-keys", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name, "--new-field-key", "--new-blind-key", "--settle", "0", "--retire");

        Assert.True(dry.ExitCode == 0, dry.Error);
        Assert.Contains("(dry run: nothing written)", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"users: scanned {users.Count:N0}, would rewrite {users.Count:N0}, ", dry.Output, StringComparison.Ordinal);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("added: field 2, blind 2", result.Output, StringComparison.Ordinal);
        Assert.Contains($"users: scanned {users.Count:N0}, rewritten {users.Count:N0}, ", result.Output, StringComparison.Ordinal);
        Assert.Contains($"orders: scanned {orders:N0}, rewritten {orders:N0}, ", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"items by version before: field 1: [\d,]+, blind 1: [\d,]+\n", result.Output);
        Assert.Matches(@"items by version after: field 2: [\d,]+, blind 2: [\d,]+\n", result.Output);
        Assert.Contains("retired: field 1, blind 1", result.Output, StringComparison.Ordinal);
        Assert.Contains("added field 2, blind 2; waiting 0 s", result.Error, StringComparison.Ordinal);
        foreach (var output in new[] { dry.Output + dry.Error, result.Output + result.Error })
        {
            Assert.DoesNotContain("@", output, StringComparison.Ordinal);
            Assert.DoesNotContain(users, u => output.Contains(u[Attr.Name].S, StringComparison.Ordinal));
        }

        var census = await VersionCensus.TakeAsync(table.Admin, table.Name, Ct);
        Assert.Equal([2], census.Field.Keys);
        Assert.Equal([2], census.Blind.Keys);
        // The API, with the same key file, finds and reads them under version 2 alone.
        var repository = new UserRepository(new TableAccess(fixture.Client, table.Options(), TimeProvider.System));
        foreach (var user in users.Where(u => u[Attr.Status].S != "deleted").Take(10))
        {
            Assert.Equal(user[Attr.Id].S, (await repository.GetByEmailAsync(user[Attr.Email].S, Ct))?.Id.ToString("D"));
        }
    }

    [Fact]
    public async Task With_a_kms_key_the_keyring_it_wraps_is_rotated_and_a_rerun_has_nothing_left_to_move()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var keyId = await kms.CreateKeyAsync(Ct);
        var root = new KmsRootKey(kms.Client, keyId);
        var sealer = new UserItemSealer(await new FieldProtection(table.Admin, table.Name, root, TimeProvider.System).KeysAsync(Ct));
        var items = DataSeeder.Items(new SeedRequest(SeedScenario.Small), sealer).ToList();
        await new BatchWriter(table.Admin, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(table.Name, items, null, Ct);
        string[] run = ["rotate-keys", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name, "--kms-key-id", keyId, "--kms-endpoint", kms.ServiceUrl.ToString()];

        var first = await Cli.RunAsync(RotateKeysCommand.Create(), [.. run, "--new-field-key", "--settle", "0"]);
        var second = await Cli.RunAsync(RotateKeysCommand.Create(), [.. run, "--retire"]);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("added: field 2\n", first.Output, StringComparison.Ordinal);
        // A field rotation leaves the blind indexes where they are.
        Assert.Matches(@"items by version after: field 2: [\d,]+, blind 1: [\d,]+\n", first.Output);
        Assert.Contains("no item uses field 1 any more; run again with --retire", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Matches(@"users: scanned [\d,]+, rewritten 0, ", second.Output);
        Assert.Contains("retired: field 1\n", second.Output, StringComparison.Ordinal);
        var keyring = await new Keyring(table.Admin, table.Name, root, new KeyringCacheOptions(), TimeProvider.System).VersionsAsync(Ct);
        Assert.Equal(
            [(KeyPurpose.Field, 1, KeyStatus.Retired), (KeyPurpose.Field, 2, KeyStatus.Active), (KeyPurpose.Blind, 1, KeyStatus.Active)],
            keyring.Select(v => (v.Purpose, v.Version, v.Status)).OrderBy(v => v.Purpose).ThenBy(v => v.Version));
    }

    [Fact]
    public async Task A_wrong_key_file_is_a_one_line_error_and_nothing_is_written()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        // The keyring wrapped by a key that is not the local key file.
        var sealer = new UserItemSealer(await new FieldProtection(table.Admin, table.Name, LocalRootKey.Ephemeral(), TimeProvider.System).KeysAsync(Ct));
        var items = DataSeeder.Items(new SeedRequest(SeedScenario.Small), sealer).ToList();
        await new BatchWriter(table.Admin, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(table.Name, items, null, Ct);
        var before = ItemText.Sorted(await table.EveryItemAsync(Ct));

        var result = await Cli.RunAsync(RotateKeysCommand.Create(), "rotate-keys", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name, "--new-field-key", "--settle", "0");

        Assert.Equal(CommandLine.Failure, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: rotate-keys: The local root key (local:", line, StringComparison.Ordinal);
        Assert.Equal(before, ItemText.Sorted(await table.EveryItemAsync(Ct)));
    }
}
