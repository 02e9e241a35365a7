using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tools.Rotation;
using Serverless.Data.Users;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Rotation;

/// <summary>
/// The key rotation run directly against DynamoDB Local, on users and orders written in bulk under version 1 of the
/// keyring: every item moved to the new versions while users are looked up, a killed run resumed, a concurrent API
/// write kept, a dry run. Through the CLI: RotateKeysCommandTests.
/// </summary>
public sealed class KeyRotationTests(DynamoDbLocalFixture fixture)
{
    private const int Readers = 3;
    private static readonly KeyRotationOptions NewKeys = new() { NewFieldKey = true, NewBlindKey = true, Settle = TimeSpan.Zero };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotating_10000_users_to_new_versions_moves_every_item_while_lookups_by_email_and_by_id_never_miss()
    {
        const int Users = 10_000;
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var root = LocalRootKey.Ephemeral();
        var data = await RotationData.WriteAsync(table, root, Users, Ct);
        // The API's view of the table: its own keyring, cached as an instance caches it.
        var api = new TableAccess(fixture.Client, table.Options(), TimeProvider.System, root);
        var lookups = new LookupLoop(new UserRepository(api), data.Users);
        lookups.Start(Readers);
        long beforeMoving = 0;

        var report = await new KeyRotation(table.Client, table.Name, root, TimeProvider.System).RunAsync(
            NewKeys,
            null,
            async (_, ct) =>
            {
                // What the settle wait is for: every instance's cached keyring expires and is read again, with the
                // new versions, before the first item moves. Here the readers' cache is dropped at once, and the
                // lookups that began with the old keyring are let finish.
                api.Privacy.Keyring.Invalidate();
                await lookups.EachReaderFinishesOneMoreAsync(ct);
                beforeMoving = lookups.Done;
            },
            Ct);
        var duringRotation = lookups.Done - beforeMoving;
        await lookups.StopAsync();

        Assert.Equal(0, lookups.Errors);
        Assert.Equal(0, lookups.Misses);
        Assert.True(lookups.FirstError is null, lookups.FirstError);
        Assert.True(duringRotation > Readers * 10, $"only {duringRotation} lookups ran while the items moved");
        Assert.Equal([new KeyVersion(KeyPurpose.Field, 2), new KeyVersion(KeyPurpose.Blind, 2)], report.Added);
        Assert.Equal((2, 2), (report.FieldVersion, report.BlindVersion));
        // Each user rewritten once, by its own scan or first by its order's (then it is already current when its own
        // turn comes, or its own rewrite and the order's race and the loser reads it again: retried).
        Assert.Equal(
            new KeyRotationCounts(UsersScanned: Users, UsersRewritten: Users, OrdersScanned: data.Orders.Count, OrdersRewritten: data.Orders.Count),
            report.Counts with { UsersCurrent = 0, Retried = 0 });
        Assert.InRange(report.Counts.UsersCurrent + report.Counts.Retried, 0, 2 * data.Orders.Count);
        Assert.Empty(await RotationData.ItemsNotUnderAsync(table, field: 2, blind: 2, Ct));
        // Users, orders; users, markers, words (two each), cities.
        Assert.Equal(Users + data.Orders.Count, report.Before.ItemsUnder(KeyPurpose.Field, 1));
        Assert.Equal(Users * 5, report.Before.ItemsUnder(KeyPurpose.Blind, 1));
        Assert.Equal([1], report.Before.Field.Keys);
        Assert.Equal([2], report.After!.Field.Keys);
        Assert.Equal([2], report.After.Blind.Keys);
        Assert.Equal(Users + data.Orders.Count, report.After.ItemsUnder(KeyPurpose.Field, 2));
        Assert.Equal(Users * 5, report.After.ItemsUnder(KeyPurpose.Blind, 2));
        Assert.Equal([new KeyVersion(KeyPurpose.Field, 1), new KeyVersion(KeyPurpose.Blind, 1)], report.Unused);
        Assert.Empty(report.Retired);
    }

    [Fact]
    public async Task A_run_killed_midway_resumes_and_rewrites_each_user_and_order_exactly_once()
    {
        const int Users = 2_000;
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var root = LocalRootKey.Ephemeral();
        var data = await RotationData.WriteAsync(table, root, Users, Ct);
        var recorder = new RotationRecorder();
        using var client = recorder.CreateClient(fixture);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        recorder.CancelAfter = kill;
        recorder.CancelAfterRewrites = 700;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new KeyRotation(client, table.Name, root, TimeProvider.System).RunAsync(NewKeys, null, null, kill.Token));
        var afterKill = recorder.UserRewrites.Count;
        var resumed = await new KeyRotation(client, table.Name, root, TimeProvider.System).RunAsync(NewKeys with { Retire = true }, null, null, Ct);

        Assert.InRange(afterKill, 700, Users - 1);
        Assert.True(resumed.Resumed);
        // The second run went on with the versions the first one made; it made none of its own.
        Assert.Empty(resumed.Added);
        Assert.Contains(resumed.Notices, n => n.Contains("no new version was made", StringComparison.Ordinal));
        Assert.Equal((2, 2), (resumed.FieldVersion, resumed.BlindVersion));
        Assert.Equal(Users, recorder.UserRewrites.Count);
        Assert.All(recorder.UserRewrites, rewrites => Assert.Equal(1, rewrites.Value));
        var orderUpdates = recorder.Updates.Where(u => u.Key.StartsWith("ORDER#", StringComparison.Ordinal)).ToList();
        Assert.Equal(data.Orders.Count, orderUpdates.Count);
        Assert.All(orderUpdates, updates => Assert.Equal(1, updates.Value));
        Assert.Empty(await RotationData.ItemsNotUnderAsync(table, field: 2, blind: 2, Ct));
        Assert.Equal([new KeyVersion(KeyPurpose.Field, 1), new KeyVersion(KeyPurpose.Blind, 1)], resumed.Retired);
        var keyring = await new Keyring(table.Admin, table.Name, root, new KeyringCacheOptions(), TimeProvider.System).VersionsAsync(Ct);
        Assert.All(keyring.Where(v => v.Version == 1), v => Assert.Equal(KeyStatus.Retired, v.Status));

        // With version 1 retired, the users still read and are found, under version 2 alone.
        var users = new UserRepository(new TableAccess(fixture.Client, table.Options(), TimeProvider.System, root));
        foreach (var user in data.Users.Take(20))
        {
            Assert.Equal(user.Id, (await users.GetByEmailAsync(user.Email, Ct))?.Id);
            Assert.Equal(user.Name, (await users.GetAsync(user.Id, Ct))?.Name);
        }

        // And a third run finds nothing left to move.
        var again = await new KeyRotation(client, table.Name, root, TimeProvider.System).RunAsync(new KeyRotationOptions(), null, null, Ct);
        Assert.False(again.Resumed);
        Assert.Equal((0L, (long)Users, 0L, (long)data.Orders.Count), (again.Counts.UsersRewritten, again.Counts.UsersCurrent, again.Counts.OrdersRewritten, again.Counts.OrdersCurrent));
        Assert.Equal(Users, recorder.UserRewrites.Count);
        Assert.All(recorder.UserRewrites, rewrites => Assert.Equal(1, rewrites.Value));
    }

    [Fact]
    public async Task An_api_update_of_a_user_during_the_rotation_is_kept()
    {
        const int Users = 100;
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var root = LocalRootKey.Ephemeral();
        var data = await RotationData.WriteAsync(table, root, Users, Ct);
        // One without an order: the rename would reach an order through the denormalization, which has no stream here.
        var target = data.Users[37];
        var recorder = new RotationRecorder { HookedUser = Keys.UserPartition(target.Id) };
        recorder.BeforeRewrite = async () =>
        {
            // Between the rotation's read of the user and its write: an API instance (its keyring read afresh, so it
            // writes under the new versions) renames the user.
            var api = new UserRepository(new TableAccess(fixture.Client, table.Options(), TimeProvider.System, root));
            var current = (await api.GetAsync(target.Id, Ct))!;
            await api.UpdateAsync(current with { Name = "Grace Brewster Hopper" }, current.Version, "user:api", Ct);
        };
        using var client = recorder.CreateClient(fixture);

        var report = await new KeyRotation(client, table.Name, root, TimeProvider.System).RunAsync(NewKeys, null, null, Ct);

        var stored = await new UserRepository(new TableAccess(fixture.Client, table.Options(), TimeProvider.System, root)).GetAsync(target.Id, Ct);
        Assert.Equal("Grace Brewster Hopper", stored!.Name);
        Assert.Equal((target.Version + 1, "user:api"), (stored.Version, stored.LastWriter));
        // The rotation's write failed its condition, read the user again and found it already under the new versions.
        Assert.True(report.Counts.Retried >= 1, $"retried {report.Counts.Retried}");
        Assert.Equal((Users - 1L, 0L), (report.Counts.UsersRewritten, report.Counts.Unfinished));
        var words = (await table.AllItemsAsync(Ct)).Where(i => i[Attr.PK].S == Keys.UserPartition(target.Id) && i[Attr.EntityType].S == EntityTypes.UserWord).ToList();
        Assert.Equal(3, words.Count);
        Assert.Empty(await RotationData.ItemsNotUnderAsync(table, field: 2, blind: 2, Ct));
        Assert.Equal(0, report.After!.ItemsUnder(KeyPurpose.Field, 1) + report.After.ItemsUnder(KeyPurpose.Blind, 1));
    }

    [Fact]
    public async Task A_dry_run_counts_what_would_move_and_writes_nothing()
    {
        const int Users = 200;
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var root = LocalRootKey.Ephemeral();
        var data = await RotationData.WriteAsync(table, root, Users, Ct);
        var before = ItemText.Sorted(await table.EveryItemAsync(Ct));
        var recorder = new RotationRecorder();
        using var client = recorder.CreateClient(fixture);

        var report = await new KeyRotation(client, table.Name, root, TimeProvider.System).RunAsync(NewKeys with { DryRun = true, Retire = true }, null, null, Ct);

        Assert.True(report.DryRun);
        Assert.Equal([new KeyVersion(KeyPurpose.Field, 2), new KeyVersion(KeyPurpose.Blind, 2)], report.Added);
        Assert.Equal(new KeyRotationCounts(UsersScanned: Users, UsersRewritten: Users, OrdersScanned: data.Orders.Count, OrdersRewritten: data.Orders.Count), report.Counts);
        Assert.Null(report.After);
        Assert.Empty(report.Retired);
        Assert.Empty(recorder.UserRewrites);
        Assert.Empty(recorder.Updates);
        // Nothing at all: no item, no keyring version, no checkpoint.
        Assert.Equal(before, ItemText.Sorted(await table.EveryItemAsync(Ct)));
    }
}
