using System.Globalization;

namespace Serverless.Data.Table;

/// <summary>
/// CreatedDateIndex partitions: one per month ("yyyy-MM"), split into write shards ("yyyy-MM#n") when
/// <see cref="TableOptions.CreatedDateShards"/> &gt; 1 so one month's sign-ups do not all hit one partition.
/// </summary>
public static class CreatedDatePartitions
{
    public static string YearMonth(DateTimeOffset createdAt, Guid userId, int shards) =>
        Month(createdAt, shards > 1 ? ShardOf(userId, shards) : 0, shards);

    public static string Month(DateTimeOffset monthTime, int shard, int shards)
    {
        var month = monthTime.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        return shards > 1 ? month + "#" + shard.ToString(CultureInfo.InvariantCulture) : month;
    }

    /// <summary>
    /// A stable shard for a user: FNV-1a over the id's bytes. Stable across processes and runtimes
    /// (unlike <see cref="object.GetHashCode"/>), so the reader and every writer agree.
    /// </summary>
    public static int ShardOf(Guid userId, int shards)
    {
        if (shards <= 1)
        {
            return 0;
        }

        Span<byte> bytes = stackalloc byte[16];
        _ = userId.TryWriteBytes(bytes);
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }

    /// <summary>The first instant of each month from <paramref name="newest"/>'s month back to <paramref name="oldest"/>'s, newest first.</summary>
    public static IReadOnlyList<DateTimeOffset> MonthsNewestFirst(DateTimeOffset newest, DateTimeOffset oldest)
    {
        var months = new List<DateTimeOffset>();
        var month = new DateTimeOffset(newest.UtcDateTime.Year, newest.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var last = new DateTimeOffset(oldest.UtcDateTime.Year, oldest.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        while (month >= last)
        {
            months.Add(month);
            month = month.AddMonths(-1);
        }

        return months;
    }
}
