using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Users;

/// <summary>With four write shards, reads scatter over every shard of every month and merge newest first.</summary>
public sealed class ShardedUserQueryTests(DynamoDbLocalFixture dynamo) : UserRepositoryTestBase(dynamo, shards: 4)
{
    [Fact]
    public async Task Recent_users_merge_across_four_shards_newest_first()
    {
        var users = new List<User>();
        for (var i = 0; i < 20; i++)
        {
            users.Add(await CreateAtAsync(Start.AddDays(-20).AddHours(i * 23), NewUser($"s{i}@example.com")));
        }

        // The ids spread over more than one shard, or the test would prove nothing about merging.
        Assert.True(users.Select(u => CreatedDatePartitions.ShardOf(u.Id, 4)).Distinct().Count() > 1);
        var items = await Table.AllItemsAsync(Ct);
        Assert.All(items.Where(i => i[Attr.EntityType].S == EntityTypes.User), i => Assert.Matches($@"^{Start.Year}-0[23]#[0-3]$", i[Attr.YearMonth].S));
        Clock.Set(Start);
        Table.Requests.Clear();

        var pages = await UserQueryTests.AllPagesAsync(cursor => Users.RecentAsync(30, null, new PageRequest(6, cursor), Ct));

        Assert.Equal(users.AsEnumerable().Reverse().Select(u => u.Id), pages.SelectMany(p => p).Select(u => u.Id));
        // Queries, and one BatchGetItem per page for the listed users' keys when they are not in memory.
        Assert.All(Table.Requests.Operations, op => Assert.Contains(op, new[] { "Query", "BatchGetItem" }));
    }

    [Fact]
    public async Task Users_by_status_merge_across_four_shards_newest_first()
    {
        var users = new List<User>();
        for (var i = 0; i < 9; i++)
        {
            users.Add(await CreateAtAsync(Start.AddMinutes(i), NewUser($"s{i}@example.com")));
        }

        var pages = await UserQueryTests.AllPagesAsync(cursor => Users.ByStatusAsync(UserStatus.Active, new PageRequest(4, cursor), Ct));

        Assert.Equal(users.AsEnumerable().Reverse().Select(u => u.Id), pages.SelectMany(p => p).Select(u => u.Id));
    }
}
