using Serverless.Data.Table;
using Serverless.Domain.Comments;
using Serverless.Domain.Users;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Table;

public sealed class KeysTests
{
    private static readonly Guid Id = Guid.Parse("11111111-2222-4333-8444-555555555555");

    [Fact]
    public void Keys_carry_typed_prefixes()
    {
        Assert.Equal(new ItemKey("USER#11111111-2222-4333-8444-555555555555", "PROFILE"), Keys.User(Id));
        Assert.Equal(new ItemKey("EMAIL#ada@example.com", "EMAIL"), Keys.EmailMarker("ada@example.com"));
        Assert.Equal(new ItemKey("USER#11111111-2222-4333-8444-555555555555", "WORD#ada"), Keys.UserWord(Id, "ada"));
        Assert.Equal(
            new ItemKey("POST#11111111-2222-4333-8444-555555555555", "COMMENT#2026-03-14T15:09:26.535Z#11111111-2222-4333-8444-555555555555"),
            Keys.Comment(CommentTarget.Post, Id, Samples.Created, Id));
    }

    [Fact]
    public void Status_partitions_are_sharded_only_when_there_is_more_than_one_shard()
    {
        Assert.Equal("STATUS#active", IndexKeys.UsersByStatus(UserStatus.Active, 0, 1));
        Assert.Equal("STATUS#active#3", IndexKeys.UsersByStatus(UserStatus.Active, 3, 4));
    }

    [Fact]
    public void A_users_shard_is_stable_and_within_range()
    {
        var ids = Enumerable.Range(0, 400).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();
        var shards = ids.Select(id => CreatedDatePartitions.ShardOf(id, 4)).ToList();
        Assert.All(shards, s => Assert.InRange(s, 0, 3));
        Assert.Equal(shards, ids.Select(id => CreatedDatePartitions.ShardOf(id, 4)));
        // Spread: every shard gets a fair share of 400 ids.
        Assert.All(shards.GroupBy(s => s), g => Assert.InRange(g.Count(), 60, 140));
    }

    [Fact]
    public void Months_run_newest_first_down_to_the_cutoffs_month() =>
        Assert.Equal(
            ["2026-03", "2026-02", "2026-01", "2025-12"],
            CreatedDatePartitions.MonthsNewestFirst(new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), new(2025, 12, 31, 0, 0, 0, TimeSpan.Zero))
                .Select(m => CreatedDatePartitions.Month(m, 0, 1)));

    [Fact]
    public void Sortable_times_sort_as_strings_in_time_order()
    {
        var early = SortableTime.Format(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.FromHours(2)));
        Assert.Equal("2026-01-02T01:04:05.006Z", early);
        Assert.True(string.CompareOrdinal(early, SortableTime.Format(new DateTimeOffset(2026, 1, 2, 1, 4, 5, 7, TimeSpan.Zero))) < 0);
    }
}
