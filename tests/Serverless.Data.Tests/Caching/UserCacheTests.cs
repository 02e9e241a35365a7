using System.Text;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Caching;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Caching;

public sealed class UserCacheTests(DynamoDbLocalFixture dynamo, RedisServerFixture redis) : CachedUsersTestBase(dynamo, redis)
{
    [Fact]
    public async Task A_user_read_again_comes_from_the_cache_without_a_table_call()
    {
        var user = await CreateAsync(NewUser());
        Assert.NotNull(await Users.GetAsync(user.Id, Ct));
        Table.Requests.Clear();

        var again = await Users.GetAsync(user.Id, Ct);

        Assert.Equal(user.Email, again!.Email);
        Assert.Empty(TableCalls);
        var entry = await EntryAsync(Cache.UserKey(user.Id));
        Assert.Equal((CacheEntryKind.Value, user.Version), (entry!.Kind, entry.Version));
    }

    [Fact]
    public async Task An_email_lookup_again_comes_from_the_cache_keyed_by_the_blind_index()
    {
        var user = await CreateAsync(NewUser("Grace.Hopper@Example.com", "Grace Hopper"));
        Assert.Equal(user.Id, (await Users.GetByEmailAsync("grace.hopper@example.com", Ct))!.Id);
        Assert.NotNull(await Users.GetAsync(user.Id, Ct));
        Table.Requests.Clear();

        var again = await Users.GetByEmailAsync("  GRACE.HOPPER@example.com ", Ct);

        Assert.Equal(user.Id, again!.Id);
        Assert.Empty(TableCalls);
        var cached = await CachedAsync();
        Assert.Contains(cached, c => c.Key.StartsWith(Prefix + "user:email:", StringComparison.Ordinal));
        AssertNoneHolds(cached, "grace", "hopper", "example.com");
    }

    [Fact]
    public async Task A_write_is_seen_by_the_next_read_by_id_and_by_email()
    {
        var user = await CreateAsync(NewUser("before@example.com", "Old Name"));
        await Users.GetAsync(user.Id, Ct);
        await Users.GetByEmailAsync("before@example.com", Ct);

        var updated = await Users.UpdateAsync(user with { Name = "New Name", Email = "after@example.com" }, user.Version, "test", Ct);

        Assert.Equal(("New Name", updated.Version), ((await Users.GetAsync(user.Id, Ct))!.Name, (await Users.GetAsync(user.Id, Ct))!.Version));
        Assert.Null(await Users.GetByEmailAsync("before@example.com", Ct));
        Assert.Equal(user.Id, (await Users.GetByEmailAsync("after@example.com", Ct))!.Id);
        // And again, now from the cache.
        Table.Requests.Clear();
        Assert.Equal(updated.Version, (await Users.GetByEmailAsync("after@example.com", Ct))!.Version);
        Assert.Null(await Users.GetByEmailAsync("before@example.com", Ct));
        Assert.Empty(TableCalls);
    }

    [Fact]
    public async Task A_read_that_started_before_a_write_cannot_put_its_older_copy_back()
    {
        var user = await CreateAsync(NewUser());
        var old = await Access.Reads.GetAsync(Table.Name, Keys.User(user.Id), consistent: true, Ct);
        var release = new TaskCompletionSource();
        var loading = new TaskCompletionSource();

        // A reader misses and loads the old item; before it installs it, a write commits and invalidates.
        var slowRead = Cache.GetUserAsync(user.Id, async _ =>
        {
            loading.SetResult();
            await release.Task;
            return old;
        }, Ct);
        await loading.Task;
        var updated = await Users.UpdateAsync(user with { Name = "Changed Name" }, user.Version, "test", Ct);
        release.SetResult();
        var slow = await slowRead;

        // The slow reader overlapped the write, so it may return the old copy; it must not have cached it.
        Assert.Equal(user.Version, new ItemReader(slow.Item!).Long(Attr.Version));
        var entry = await EntryAsync(Cache.UserKey(user.Id));
        Assert.Equal((CacheEntryKind.Tombstone, updated.Version), (entry!.Kind, entry.Version));
        Assert.Equal("Changed Name", (await Users.GetAsync(user.Id, Ct))!.Name);
        Assert.Equal((CacheEntryKind.Value, updated.Version), ((await EntryAsync(Cache.UserKey(user.Id)))!.Kind, (await EntryAsync(Cache.UserKey(user.Id)))!.Version));
    }

    [Fact]
    public async Task An_older_version_never_replaces_a_newer_one_in_the_cache()
    {
        var user = await CreateAsync(NewUser());
        var v1 = await Access.Reads.GetAsync(Table.Name, Keys.User(user.Id), consistent: true, Ct);
        await Users.UpdateAsync(user with { Name = "Second Name" }, user.Version, "test", Ct);
        Assert.Equal("Second Name", (await Users.GetAsync(user.Id, Ct))!.Name);
        var v2Entry = await EntryAsync(Cache.UserKey(user.Id));

        // An early refresh or a slow loader holding version 1 arrives late.
        var older = new CacheEntry(CacheEntryKind.Value, 1, user.Id.ToString("D"), 0, 0, ItemCodec.Encode(v1!)).Encode();
        Assert.False(await Cache.Store!.InstallAsync(Cache.UserKey(user.Id), older, TimeSpan.FromMinutes(1)));

        Assert.Equal(v2Entry!.Version, (await EntryAsync(Cache.UserKey(user.Id)))!.Version);
    }

    [Fact]
    public async Task A_flood_of_lookups_for_an_unknown_email_reaches_the_table_a_handful_of_times()
    {
        var lookups = Enumerable.Range(0, 1000).Select(_ => Users.GetByEmailAsync("nobody-" + Prefix + "@example.com", Ct)).ToList();

        var found = await Task.WhenAll(lookups);

        Assert.All(found, Assert.Null);
        var queries = TableCalls.Count(o => o == "Query");
        TestContext.Current.TestOutputHelper?.WriteLine($"1,000 concurrent lookups of one unknown email: {queries} Query call(s) reached DynamoDB");
        Assert.InRange(queries, 1, 3);
        Table.Requests.Clear();
        Assert.Null(await Users.GetByEmailAsync("nobody-" + Prefix + "@example.com", Ct));
        Assert.Empty(TableCalls);
    }

    [Fact]
    public async Task A_remembered_no_one_does_not_hide_a_user_created_after_it()
    {
        Assert.Null(await Users.GetByEmailAsync("late@example.com", Ct));
        Assert.Null(await Users.GetAsync(Guid.NewGuid(), Ct));

        var user = await CreateAsync(NewUser("late@example.com"));

        Assert.Equal(user.Id, (await Users.GetByEmailAsync("late@example.com", Ct))!.Id);
    }

    [Fact]
    public async Task A_soft_deleted_user_leaves_the_email_lookup_and_is_read_by_id_as_deleted()
    {
        var user = await CreateAsync(NewUser("leaving@example.com"));
        await Users.GetByEmailAsync("leaving@example.com", Ct);
        await Users.GetAsync(user.Id, Ct);

        var deleted = await Users.DeleteAsync(user.Id, user.Version, "test", Ct);

        Assert.Null(await Users.GetByEmailAsync("leaving@example.com", Ct));
        Assert.Equal(UserStatus.Deleted, (await Users.GetAsync(user.Id, Ct))!.Status);
        await Users.RestoreAsync(user.Id, deleted.Version, "test", Ct);
        Assert.Equal(user.Id, (await Users.GetByEmailAsync("leaving@example.com", Ct))!.Id);
    }

    [Fact]
    public async Task The_active_users_page_is_cached_and_any_user_change_moves_it()
    {
        var first = await CreateAsync(NewUser());
        var page = await Users.ByStatusAsync(UserStatus.Active, new Serverless.Data.Paging.PageRequest(10, null), Ct);
        Assert.Equal([first.Id], page.Items.Select(u => u.Id));
        Table.Requests.Clear();
        Assert.Equal([first.Id], (await Users.ByStatusAsync(UserStatus.Active, new Serverless.Data.Paging.PageRequest(10, null), Ct)).Items.Select(u => u.Id));
        Assert.DoesNotContain("Query", TableCalls);

        var second = await CreateAsync(NewUser());

        var after = await Users.ByStatusAsync(UserStatus.Active, new Serverless.Data.Paging.PageRequest(10, null), Ct);
        Assert.Equal([second.Id, first.Id], after.Items.Select(u => u.Id));
        var cached = await CachedAsync();
        Assert.Contains(cached, c => c.Key.StartsWith(Prefix + "{users:active}:page:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_the_cache_holds_carries_no_pii_in_clear()
    {
        var user = await CreateAsync(NewUser("Pii.Person@example.org", "Peregrine Took") with
        {
            Phone = "+442071838750",
            Addresses = [new Address { Type = AddressType.Home, Street = "12 Bagshot Row", City = "Hobbiton", Country = "GB", IsDefault = true }],
        });
        await Users.GetAsync(user.Id, Ct);
        await Users.GetByEmailAsync("pii.person@example.org", Ct);
        await Users.ByStatusAsync(UserStatus.Active, new Serverless.Data.Paging.PageRequest(10, null), Ct);
        await Users.GetByEmailAsync("absent.person@example.org", Ct);

        var cached = await CachedAsync();

        Assert.True(cached.Count >= 4, $"expected the user, email, negative and page keys, got {cached.Count}");
        AssertNoneHolds(cached, "pii.person", "Peregrine", "Took", "2071838750", "Bagshot", "Hobbiton", "absent.person", "example.org");
    }

    [Fact]
    public async Task A_cached_copy_that_no_longer_decrypts_is_dropped_and_the_table_read()
    {
        var user = await CreateAsync(NewUser());
        var stored = await Access.Reads.GetAsync(Table.Name, Keys.User(user.Id), consistent: true, Ct);
        // A copy whose name ciphertext is corrupt (as one sealed under a retired key would be to this reader).
        var broken = new Dictionary<string, AttributeValue>(stored!) { [Attr.Name] = new() { B = new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]) } };
        var entry = new CacheEntry(CacheEntryKind.Value, user.Version, user.Id.ToString("D"), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), 1, ItemCodec.Encode(broken)).Encode();
        Assert.True(await Cache.Store!.InstallAsync(Cache.UserKey(user.Id), entry, TimeSpan.FromMinutes(5)));

        var read = await Users.GetAsync(user.Id, Ct);

        Assert.Equal(user.Name, read!.Name);
        Assert.Equal(CacheEntryKind.Tombstone, (await EntryAsync(Cache.UserKey(user.Id)))!.Kind);
    }

    private static void AssertNoneHolds(List<(string Key, byte[] Value)> cached, params string[] secrets)
    {
        foreach (var (key, value) in cached)
        {
            var text = key + "\n" + Encoding.UTF8.GetString(value) + "\n" + Encoding.Latin1.GetString(value);
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"cache key {key} holds '{secret}' in clear");
            }
        }
    }
}
