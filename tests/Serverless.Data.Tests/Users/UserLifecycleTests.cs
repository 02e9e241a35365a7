using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Users;
using Serverless.Domain;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Users;

public sealed class UserLifecycleTests(DynamoDbLocalFixture dynamo) : UserRepositoryTestBase(dynamo)
{
    [Fact]
    public async Task A_soft_deleted_user_leaves_every_lookup_but_keeps_its_email_taken()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com", "Ada Lovelace", "London"));
        Clock.Advance(TimeSpan.FromHours(1));

        var deleted = await Users.DeleteAsync(ada.Id, ada.Version, "test:deleter", Ct);

        Assert.Equal(UserStatus.Deleted, deleted.Status);
        Assert.Equal(Clock.GetUtcNow(), deleted.DeletedAt);
        Assert.Equal(Clock.GetUtcNow().AddDays(30), deleted.PurgeAfter);
        Assert.Equal(UserStatus.Deleted, (await Users.GetAsync(ada.Id, Ct))?.Status);
        Assert.Null(await Users.GetByEmailAsync("ada@example.com", Ct));
        Assert.Empty((await Users.RecentAsync(30, null, new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.ByStatusAsync(UserStatus.Active, new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.ByCityAsync("London", new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.SearchByNameAsync("Ada", new PageRequest(), Ct)).Items);
        Assert.Equal([$"EMAIL#ada@example.com / EMAIL", $"USER#{ada.Id:D} / PROFILE"], await ItemsAsync());
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => Users.CreateAsync(NewUser("ada@example.com"), "test", Ct));
        Assert.Equal("email", conflict.Field);
    }

    [Fact]
    public async Task A_restored_user_is_back_in_every_lookup_and_whole()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com", "Ada Lovelace", "London"));
        var original = await Users.GetAsync(ada.Id, Ct);
        var stored = await SnapshotAsync(WhatEveryWriteChanges);
        var deleted = await Users.DeleteAsync(ada.Id, ada.Version, "test:deleter", Ct);
        Clock.Advance(TimeSpan.FromDays(29));

        var restored = await Users.RestoreAsync(ada.Id, deleted.Version, "test:restorer", Ct);

        Assert.Equal(UserStatus.Active, restored.Status);
        Assert.Null(restored.DeletedAt);
        Assert.Null(restored.PurgeAfter);
        Assert.Equal((ada.Version + 2, Clock.GetUtcNow(), "test:restorer"), (restored.Version, restored.UpdatedAt, restored.LastWriter));
        Assert.Equal(ada.Id, (await Users.GetByEmailAsync("ada@example.com", Ct))?.Id);
        Assert.Equal(ada.Id, Assert.Single((await Users.RecentAsync(30, null, new PageRequest(), Ct)).Items).Id);
        Assert.Single((await Users.ByCityAsync("london", new PageRequest(), Ct)).Items);
        Assert.Single((await Users.SearchByNameAsync("lovelace", new PageRequest(), Ct)).Items);
        Assert.Single((await Users.ByStatusAsync(UserStatus.Active, new PageRequest(), Ct)).Items);

        // Whole: read back, and as stored (the user item with its index keys, marker, word and city items), the user is
        // the one created, apart from what every write changes (version, updatedAt and its writer).
        var read = await Users.GetAsync(ada.Id, Ct);
        Assert.NotNull(original);
        Assert.NotNull(read);
        Assert.Equal(Render(original), Render(read with { Version = original.Version, UpdatedAt = original.UpdatedAt, LastWriter = original.LastWriter }));
        Assert.Equal(stored, await SnapshotAsync(WhatEveryWriteChanges));
        var items = await Table.AllItemsAsync(Ct);
        Assert.DoesNotContain(items, i => i.ContainsKey(Attr.Ttl));
    }

    [Fact]
    public async Task Restoring_a_user_that_is_not_deleted_is_a_conflict()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com"));
        await Assert.ThrowsAsync<ConflictException>(() => Users.RestoreAsync(ada.Id, ada.Version, "test", Ct));
    }

    [Fact]
    public async Task After_the_retention_period_the_user_is_gone_and_its_email_is_free()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com"));
        var deleted = await Users.DeleteAsync(ada.Id, ada.Version, "test:deleter", Ct);
        Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));

        Assert.Null(await Users.GetAsync(ada.Id, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => Users.RestoreAsync(ada.Id, deleted.Version, "test", Ct));
        // DynamoDB (Local never) has not removed the expired items yet; the email must still be claimable.
        var successor = await Users.CreateAsync(NewUser("ada@example.com"), "test", Ct);
        Assert.Equal(successor.Id, (await Users.GetByEmailAsync("ada@example.com", Ct))?.Id);
    }

    [Fact]
    public async Task Items_whose_ttl_has_passed_are_never_returned_by_any_read()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com", "Ada Lovelace", "London"));
        // Simulates an item that expired but that DynamoDB has not deleted yet.
        await SetTtlAsync(Keys.User(ada.Id), Start.AddMinutes(1));
        await SetTtlAsync(Keys.UserWord(ada.Id, UserProtection.WordToken(Keyring, Keyring.ActiveBlind, "ada")), Start.AddMinutes(1));
        await SetTtlAsync(Keys.UserCity(ada.Id, UserProtection.CityToken(Keyring, Keyring.ActiveBlind, "london")), Start.AddMinutes(1));
        Assert.NotNull(await Users.GetAsync(ada.Id, Ct));

        Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(await Users.GetAsync(ada.Id, Ct));
        Assert.Null(await Users.GetByEmailAsync("ada@example.com", Ct));
        Assert.Empty((await Users.RecentAsync(30, null, new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.ByStatusAsync(UserStatus.Active, new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.ByCityAsync("London", new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.SearchByNameAsync("Ada", new PageRequest(), Ct)).Items);
        Assert.Empty((await Users.SearchByNameAsync("Lovelace", new PageRequest(), Ct)).Items);
    }

    private static readonly string[] WhatEveryWriteChanges = [Attr.Version, Attr.UpdatedAt, Attr.LastWriter];

    private static string Render(User user) => ItemJson.Render(UserMapper.ToItem(user, createdDateShards: 1));
}
