using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Local.Migrate;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Migrate;

/// <summary>
/// <c>migrate --migration users-sealed</c> through the CLI on users stored as before encryption: up, status, down, the
/// dry run, the choice of migration. The migration itself, with readers throughout: Serverless.Data.Tools.Tests.
/// </summary>
public sealed class MigrateEncryptionCommandTests(DynamoDbLocalFixture fixture)
{
    private const int Users = 500;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_seals_every_plaintext_user_and_down_restores_the_table_exactly()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, Users, Ct);
        var before = ItemText.Sorted(await table.AllItemsAsync(Ct));

        var dry = await MigrateAsync(table, "up", "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.Error);
        Assert.Contains($"examined {Users:N0} user(s): 0 already sealed, would change {Users:N0}", dry.Output, StringComparison.Ordinal);

        var up = await MigrateAsync(table, "up");
        Assert.True(up.ExitCode == 0, up.Error);
        Assert.Contains($"migrate up {UserEncryptionMigration.Id} on table {table.Name}", up.Output, StringComparison.Ordinal);
        Assert.Contains($"examined {Users:N0} user(s): 0 already sealed, changed {Users:N0}, skipped 0", up.Output, StringComparison.Ordinal);
        var sealedUsers = (await table.AllItemsAsync(Ct)).Where(i => i[Attr.EntityType].S == EntityTypes.User).ToList();
        Assert.All(sealedUsers, u => Assert.NotNull(u[Attr.Email].B));
        // The report names no user's data.
        Assert.DoesNotContain("@", up.Output, StringComparison.Ordinal);

        var status = await MigrateAsync(table, "status");
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains($"{UserEncryptionMigration.Id}: applied", status.Output, StringComparison.Ordinal);
        Assert.Contains($"users plaintext: 0, sealed: {Users:N0}", status.Output, StringComparison.Ordinal);

        var again = await MigrateAsync(table, "up");
        Assert.Contains($"examined {Users:N0} user(s): {Users:N0} already sealed, changed 0,", again.Output, StringComparison.Ordinal);

        var down = await MigrateAsync(table, "down");
        Assert.True(down.ExitCode == 0, down.Error);
        Assert.Contains($"examined {Users:N0} user(s): 0 already plaintext, changed {Users:N0}", down.Output, StringComparison.Ordinal);
        Assert.Equal(before, ItemText.Sorted((await table.AllItemsAsync(Ct)).Where(i => !i[Attr.PK].S.StartsWith("MIGRATION#", StringComparison.Ordinal))));
        var rolledBack = await MigrateAsync(table, "status");
        Assert.Contains($"{UserEncryptionMigration.Id}: rolled back", rolledBack.Output, StringComparison.Ordinal);
        Assert.Contains($"users plaintext: {Users:N0}, sealed: 0", rolledBack.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_migration_the_phone_migration_runs_and_an_unknown_one_is_an_error_naming_both()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, 20, Ct);

        var plain = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "status", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        var unknown = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--migration", "users-v9", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.Contains($"{UserPhoneMigration.Id}:", plain.Output, StringComparison.Ordinal);
        Assert.Contains("users at v1: 10, at v2: 10", plain.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("users-v9", unknown.Error, StringComparison.Ordinal);
        Assert.Contains(UserEncryptionMigration.Id, unknown.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(await table.AllItemsAsync(Ct), i => i[Attr.PK].S.StartsWith("MIGRATION#", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_of_migrate_up_names_the_migration_option_and_the_kms_key_option()
    {
        var result = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var text in new[] { "--migration", "--kms-key-id", UserPhoneMigration.Id, UserEncryptionMigration.Id })
        {
            Assert.Contains(text, result.Output, StringComparison.Ordinal);
        }
    }

    private Task<CliResult> MigrateAsync(TestTable table, string verb, params string[] more) =>
        Cli.RunAsync(MigrateCommand.Create(), ["migrate", verb, "--migration", UserEncryptionMigration.Id, .. more, "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name]);
}
