using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Data.Users;
using Serverless.Domain.Search;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Migrations;

/// <summary>
/// The encryption migration (users-sealed) on users stored as the code before encryption stored them
/// (<see cref="PlaintextUsers"/>), against DynamoDB Local: readers through the repository before, during and after
/// the backfill and its rollback; the raw table after each; a killed run; a dry run; a concurrent API write; sealing
/// on read. Through the CLI: MigrateEncryptionCommandTests.
/// </summary>
public sealed class UserEncryptionMigrationTests(DynamoDbLocalFixture fixture)
{
    private const int Users = 10_000;
    private const int Readers = 2;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_plaintext_users_are_found_by_id_email_name_and_city_throughout_up_and_down_and_down_restores_every_item_exactly()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, Users, Ct);
        var access = new TableAccess(table.Client, table.Options() with { PlaintextLookups = true }, TimeProvider.System);
        // The keyring first (the first use makes it; it belongs to no user), so "before" is the users' items alone.
        _ = await access.Privacy.KeysAsync(Ct);
        var before = ItemText.Sorted(await table.AllItemsAsync(Ct));
        var lookups = new EncryptionLookups(new UserRepository(access), Users);
        var migration = new UserEncryptionMigration(table.Client, table.Name, FieldProtection.DefaultLocalRootKey(), TimeProvider.System);
        var options = new MigrationRunOptions { Concurrency = 16 };

        await lookups.RunAsync(Readers, 100, Ct);
        Assert.True(lookups.Misses + lookups.Errors == 0, lookups.Problems);

        var duringUp = await WhileReadingAsync(lookups, () => migration.UpAsync(options, null, Ct));
        Assert.Equal(new MigrationCounts(Users, Users, 0, 0, 0), duringUp.Report.Counts);
        Assert.True(duringUp.Lookups > 0, "no lookup ran while up ran");
        Assert.True(lookups.Misses + lookups.Errors == 0, lookups.Problems);

        var sealedItems = await table.AllItemsAsync(Ct);
        Assert.Empty(PlaintextPiiIn(sealedItems));
        Assert.Equal(Users, sealedItems.Count(i => i[Attr.SK].S == UserKeyStore.SortKey));
        var status = await migration.StatusAsync(Ct);
        Assert.Equal((0L, (long)Users, "applied"), (status.UsersAtV1, status.UsersAtV2, status.State));
        await lookups.RunAsync(Readers, 100, Ct);
        Assert.True(lookups.Misses + lookups.Errors == 0, lookups.Problems);

        var duringDown = await WhileReadingAsync(lookups, () => migration.DownAsync(options, null, Ct));
        Assert.Equal(new MigrationCounts(Users, Users, 0, 0, 0), duringDown.Report.Counts);
        Assert.True(duringDown.Lookups > 0, "no lookup ran while down ran");
        Assert.True(lookups.Misses + lookups.Errors == 0, lookups.Problems);

        // Exactly the items there were before up (same keys, same attributes, same values), beside the migration's own.
        var after = (await table.AllItemsAsync(Ct)).Where(i => !IsMigrationBookkeeping(i)).ToList();
        Assert.Equal(before, ItemText.Sorted(after));
        await lookups.RunAsync(Readers, 100, Ct);
        Assert.True(lookups.Misses + lookups.Errors == 0, lookups.Problems);
    }

    [Fact]
    public async Task A_cancelled_up_resumes_from_its_checkpoint_and_rewrites_each_user_once()
    {
        const int users = 2_000;
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, users, Ct);
        var recorder = new UserRewriteRecorder();
        using var client = recorder.CreateClient(fixture);
        var migration = new UserEncryptionMigration(client, table.Name, FieldProtection.DefaultLocalRootKey(), TimeProvider.System);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        recorder.CancelAfter = kill;
        recorder.CancelAfterRewrites = 500;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migration.UpAsync(new MigrationRunOptions(), null, kill.Token));
        var afterKill = recorder.RewritesByUser.Count;
        var checkpoint = (await migration.StatusAsync(Ct)).LastRun;
        Assert.NotNull(checkpoint);
        Assert.True(checkpoint.IsRunning);
        Assert.InRange(afterKill, 500, users - 1);

        recorder.ClearRequests();
        var resumed = await migration.UpAsync(new MigrationRunOptions(), null, Ct);

        Assert.True(resumed.Resumed);
        Assert.Contains("ExclusiveStartKey", recorder.Requests.First(r => r.Operation == "Scan").Body, StringComparison.Ordinal);
        Assert.Equal(users, recorder.RewritesByUser.Count);
        Assert.All(recorder.RewritesByUser, entry => Assert.Equal(1, entry.Value));
        Assert.Empty(resumed.Failures);
        Assert.Empty(PlaintextPiiIn(await table.AllItemsAsync(Ct)));
        var status = await migration.StatusAsync(Ct);
        Assert.Equal((0L, (long)users), (status.UsersAtV1, status.UsersAtV2));
        Assert.False(status.LastRun!.IsRunning);
    }

    [Fact]
    public async Task A_dry_run_counts_what_would_change_names_what_could_not_and_writes_nothing()
    {
        const int users = 300;
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, users, Ct);
        // A name-word item the user's name does not make: its plaintext could not be found again by a rollback.
        var odd = PlaintextUsers.UserOf(7);
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = UserIndexItemMapper.Word(odd, "stray") }, Ct);
        var before = ItemText.Sorted(await table.EveryItemAsync(Ct));
        var migration = new UserEncryptionMigration(table.Client, table.Name, FieldProtection.DefaultLocalRootKey(), TimeProvider.System);

        var report = await migration.UpAsync(new MigrationRunOptions { DryRun = true }, null, Ct);

        Assert.True(report.DryRun);
        Assert.Equal(new MigrationCounts(users, users - 1, 0, 1, 0), report.Counts);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(Keys.User(odd.Id), failure.Key);
        Assert.DoesNotContain("stray", failure.Reason, StringComparison.Ordinal);
        // Nothing at all: no user, no key, no keyring, no checkpoint.
        Assert.Equal(before, ItemText.Sorted(await table.EveryItemAsync(Ct)));

        var real = await migration.UpAsync(new MigrationRunOptions(), null, Ct);
        Assert.Equal(new MigrationCounts(users, users - 1, 0, 1, 0), real.Counts);
        var left = (await table.AllItemsAsync(Ct)).Single(i => i[Attr.PK].S == Keys.User(odd.Id).PK && i[Attr.SK].S == "PROFILE");
        Assert.True(UserSealing.IsPlaintext(left));
    }

    [Fact]
    public async Task An_api_write_between_the_migrations_read_and_its_write_wins_and_a_rerun_writes_nothing()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, 10, Ct);
        var access = new TableAccess(table.Client, table.Options() with { PlaintextLookups = true }, TimeProvider.System);
        var users = new UserRepository(access);
        var original = PlaintextUsers.UserOf(3);
        var stored = await UserSealing.ReadAsync(table.Client, table.Name, original.Id, Ct);
        var plan = UserSealing.PlanSeal(stored!, await access.Privacy.KeysAsync(Ct), table.Name, DateTimeOffset.UtcNow);

        var current = await users.GetAsync(original.Id, Ct);
        var renamed = await users.UpdateAsync(current! with { Name = "Grace Renamed" }, current!.Version, "api", Ct);
        var written = await UserSealing.ExecuteAsync(table.Client, access.Transactions, plan.Rewrite!, Ct);

        Assert.False(written);
        var read = await users.GetAsync(original.Id, Ct);
        Assert.Equal(("Grace Renamed", renamed.Version), (read!.Name, read.Version));
        Assert.Equal(read.Id, (await users.SearchByNameAsync("renamed", new Data.Paging.PageRequest(), Ct)).Items.Single().Id);
        Assert.Empty((await users.SearchByNameAsync(PlaintextUsers.UniqueWord(3), new Data.Paging.PageRequest(), Ct)).Items);

        var migration = new UserEncryptionMigration(table.Client, table.Name, FieldProtection.DefaultLocalRootKey(), TimeProvider.System);
        var report = await migration.UpAsync(new MigrationRunOptions(), null, Ct);
        Assert.Equal(new MigrationCounts(10, 9, 0, 0, 1), report.Counts);
        Assert.Equal("Grace Renamed", (await users.GetAsync(original.Id, Ct))!.Name);
    }

    [Fact]
    public async Task Reading_a_plaintext_user_by_id_or_email_with_seal_on_read_seals_it_in_the_background()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await PlaintextUsers.WriteAsync(table.Admin, table.Name, 30, Ct);
        var failures = new List<string>();
        var lazy = new UserRepository(new TableAccess(table.Client, table.Options() with { PlaintextLookups = true, SealOnRead = true }, TimeProvider.System))
        {
            OnSealOnReadFailed = failures.Add,
        };
        var plain = new UserRepository(new TableAccess(table.Client, table.Options() with { PlaintextLookups = true }, TimeProvider.System));

        Assert.NotNull(await plain.GetAsync(PlaintextUsers.IdOf(5), Ct));
        var byId = await lazy.GetAsync(PlaintextUsers.IdOf(10), Ct);
        var byEmail = await lazy.GetByEmailAsync(PlaintextUsers.EmailOf(20), Ct);

        // Returned as they were read, plaintext or not.
        Assert.Equal(PlaintextUsers.EmailOf(10), byId!.Email);
        Assert.Equal(PlaintextUsers.IdOf(20), byEmail!.Id);
        foreach (var index in new[] { 10, 20 })
        {
            await Eventually.WaitUntilAsync(async () => !PlaintextPiiIn(await UserItemsAsync(table, index)).Any(), $"user {index} sealed", Ct);
            var items = await UserItemsAsync(table, index);
            Assert.Contains(items, i => i[Attr.SK].S == UserKeyStore.SortKey);
            Assert.All(items.Where(i => i[Attr.EntityType].S == EntityTypes.Order), o => Assert.NotNull(o[Attr.UserEmail].B));
            Assert.Equal(PlaintextUsers.EmailOf(index), (await plain.GetByEmailAsync(PlaintextUsers.EmailOf(index), Ct))!.Email);
            Assert.Equal(PlaintextUsers.IdOf(index), (await plain.SearchByNameAsync(PlaintextUsers.UniqueWord(index), new Data.Paging.PageRequest(), Ct)).Items.Single().Id);
        }

        Assert.Empty(failures);
        // The one read without the setting, and those not read, are as they were.
        Assert.NotEmpty(PlaintextPiiIn(await UserItemsAsync(table, 5)));
        Assert.NotEmpty(PlaintextPiiIn(await UserItemsAsync(table, 11)));
    }

    private static async Task<(MigrationReport Report, long Lookups)> WhileReadingAsync(EncryptionLookups lookups, Func<Task<MigrationReport>> run)
    {
        using var stop = new CancellationTokenSource();
        var before = lookups.Lookups;
        var readers = lookups.RunUntilAsync(Readers, stop.Token);
        try
        {
            var report = await run();
            return (report, lookups.Lookups - before);
        }
        finally
        {
            await stop.CancelAsync();
            await readers;
        }
    }

    /// <summary>The user's own items (its partition, its marker under the plaintext email, its order) as stored.</summary>
    private static async Task<List<Dictionary<string, AttributeValue>>> UserItemsAsync(TestTable table, int index)
    {
        var id = Keys.Id(PlaintextUsers.IdOf(index));
        return [.. (await table.AllItemsAsync(Ct)).Where(i =>
            i[Attr.PK].S.Contains(id, StringComparison.Ordinal) || i.GetValueOrDefault(Attr.UserId)?.S == id)];
    }

    /// <summary>
    /// Every string in the items (keys and values, nested ones too) that holds a fixture user's PII in clear: an email,
    /// a name, a city, a phone, or a name word or city as a whole term. Ciphertext is binary and tokens are base64url,
    /// which hold no '@', no space and no '+'.
    /// </summary>
    private static List<string> PlaintextPiiIn(IEnumerable<Dictionary<string, AttributeValue>> items)
    {
        var terms = Enumerable.Range(0, Users).SelectMany(i => SearchTerms.Of(PlaintextUsers.UniqueWord(i))).ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        void Check(string value)
        {
            var term = value.StartsWith(KeyPrefix.Word, StringComparison.Ordinal) ? value[KeyPrefix.Word.Length..] : value;
            if (value.Contains('@', StringComparison.Ordinal) || value.Contains("Ada ", StringComparison.Ordinal) || value.Contains("town ", StringComparison.OrdinalIgnoreCase)
                || value.Contains("+4420", StringComparison.Ordinal) || value.Contains("020 7946", StringComparison.Ordinal) || terms.Contains(term))
            {
                found.Add(value);
            }
        }

        void Walk(AttributeValue value)
        {
            if (value.S is { } s)
            {
                Check(s);
            }

            foreach (var inner in value.M?.Values ?? (IEnumerable<AttributeValue>)[])
            {
                Walk(inner);
            }

            foreach (var inner in value.L ?? [])
            {
                Walk(inner);
            }
        }

        foreach (var item in items)
        {
            foreach (var value in item.Values)
            {
                Walk(value);
            }
        }

        return found;
    }

    private static bool IsMigrationBookkeeping(Dictionary<string, AttributeValue> item) =>
        item[Attr.PK].S.StartsWith("MIGRATION#", StringComparison.Ordinal);
}
