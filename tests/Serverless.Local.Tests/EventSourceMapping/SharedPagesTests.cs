using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>
/// The mappings of one emulator share the pages they read: the stream is read about once, not once per mapping,
/// and still every mapping gets every record its filters pass, once, in order.
/// </summary>
public sealed class SharedPagesTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Three_mappings_on_one_stream_each_get_their_records_once_in_order_from_pages_they_share()
    {
        const int Items = 2_500;
        var table = await CreateAsync(dynamo.Client, "esm-shared", _ct);
        // Several GetRecords pages (1,000 records each at most) waiting before any mapping starts.
        await Parallel.ForEachAsync(Enumerable.Range(0, Items), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = _ct }, async (i, ct) =>
            await PutAsync(dynamo.Client, table, $"USER#{i % 50}", $"ITEM#{i:D5}", ct, ("n", N(i)), ("kind", S(i % 3 == 0 ? "keep" : "skip"))));
        var all = new RecordingFunction();
        var alsoAll = new RecordingFunction();
        var filtered = new RecordingFunction();
        StreamFunctionMapping Mapping(string name, RecordingFunction function, params string[] filters) => new(
            new EventSourceMappingSettings { FunctionName = name, BatchSize = 1_000, Filters = [.. filters.Select(FilterPattern.Parse)] },
            table,
            function.InvokeAsync);

        await using var emulator = await EmulatorHarness.StartAsync(
            dynamo,
            [Mapping("All", all), Mapping("AlsoAll", alsoAll), Mapping("Kept", filtered, """{"dynamodb": {"NewImage": {"kind": {"S": ["keep"]}}}}""")],
            _ct);

        var kept = Enumerable.Range(0, Items).Count(i => i % 3 == 0);
        await Eventually.WaitUntilAsync(
            () => all.AllRecords.Count >= Items && alsoAll.AllRecords.Count >= Items && filtered.AllRecords.Count >= kept,
            "every mapping has read the whole stream",
            _ct,
            TimeSpan.FromSeconds(60));
        await Task.Delay(300, _ct);

        var order = SequenceOrder(all);
        Assert.Equal(Items, order.Count);
        Assert.Equal(order.Distinct().Count(), order.Count);
        Assert.Equal(order, SequenceOrder(alsoAll));
        var keptRecords = filtered.AllRecords;
        Assert.Equal(kept, keptRecords.Count);
        Assert.All(keptRecords, r => Assert.Equal("keep", r.GetProperty("dynamodb").GetProperty("NewImage").GetProperty("kind").GetProperty("S").GetString()));
        Assert.Equal(order.Where(s => Kind(all, s) == "keep"), SequenceOrder(filtered));
        var (fetched, shared) = emulator.PageReads;
        Assert.True(shared > 0, $"no page was shared ({fetched} fetched)");
    }

    [Fact]
    public async Task Readers_asking_for_the_same_page_at_once_make_one_fetch()
    {
        var cache = new ShardPageCache();
        var calls = 0;
        var release = new TaskCompletionSource();
        async Task<SharedPage> FetchAsync()
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return Page("1", "2");
        }

        var readers = Enumerable.Range(0, 3).Select(_ => cache.GetAsync("shard", ShardPageCache.After("0"), FetchAsync)).ToList();
        release.SetResult();
        var pages = await Task.WhenAll(readers);

        Assert.Equal(1, calls);
        Assert.All(pages, p => Assert.Same(pages[0], p));
        Assert.Equal((1L, 2L), (cache.Fetched, cache.Shared));
        Assert.Same(pages[0], await cache.GetAsync("shard", ShardPageCache.After("0"), () => throw new InvalidOperationException("held pages are not fetched again")));
    }

    [Fact]
    public async Task An_empty_page_or_a_failed_fetch_is_not_kept_and_the_next_ask_fetches_again()
    {
        var cache = new ShardPageCache();
        var calls = 0;

        await cache.GetAsync("shard", ShardPageCache.After("9"), () => { calls++; return Task.FromResult(Page()); });
        await cache.GetAsync("shard", ShardPageCache.After("9"), () => { calls++; return Task.FromResult(Page()); });
        await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("shard", ShardPageCache.After("10"), () => { calls++; return Task.FromException<SharedPage>(new TimeoutException()); }));
        var after = await cache.GetAsync("shard", ShardPageCache.After("10"), () => { calls++; return Task.FromResult(Page("11")); });

        Assert.Equal(4, calls);
        Assert.Equal("11", Assert.Single(after.Records).SequenceNumber);
    }

    [Fact]
    public async Task A_shard_keeps_only_its_newest_pages_and_shards_do_not_share()
    {
        var cache = new ShardPageCache(pagesPerShard: 2);
        var calls = 0;
        Task<SharedPage> Fetch(string sequence) { calls++; return Task.FromResult(Page(sequence)); }

        foreach (var position in new[] { "1", "2", "3" })
        {
            await cache.GetAsync("shard-a", ShardPageCache.After(position), () => Fetch(position));
        }

        await cache.GetAsync("shard-b", ShardPageCache.After("3"), () => Fetch("3"));
        await cache.GetAsync("shard-a", ShardPageCache.After("3"), () => Fetch("3"));
        await cache.GetAsync("shard-a", ShardPageCache.After("1"), () => Fetch("1"));

        // Three fetches for a, one for b (a's page is not b's), and one again for a's oldest page, which was dropped.
        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task Polls_at_the_tip_that_find_nothing_do_not_push_held_pages_out()
    {
        var cache = new ShardPageCache(pagesPerShard: 2);
        var calls = 0;
        await cache.GetAsync("shard", ShardPageCache.After("1"), () => { calls++; return Task.FromResult(Page("2")); });
        for (var poll = 0; poll < 5; poll++)
        {
            await cache.GetAsync("shard", ShardPageCache.After("2"), () => { calls++; return Task.FromResult(Page()); });
        }

        await cache.GetAsync("shard", ShardPageCache.After("1"), () => throw new InvalidOperationException("the held page was pushed out by empty polls"));

        Assert.Equal(6, calls);
    }

    private static SharedPage Page(params string[] sequenceNumbers) => new(
        [.. sequenceNumbers.Select(s => new SharedRecord(new LambdaStreamRecord(
            new Serverless.Local.Streams.StreamRecord
            {
                EventId = "e" + s,
                EventName = "INSERT",
                Dynamodb = new Serverless.Local.Streams.StreamRecordData { SequenceNumber = s },
            },
            "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1",
            "us-east-1")))],
        "iterator");

    private static List<string> SequenceOrder(RecordingFunction function) =>
        function.AllRecords.Select(r => r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!).ToList();

    private static string? Kind(RecordingFunction function, string sequenceNumber) =>
        function.AllRecords.First(r => r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString() == sequenceNumber)
            .GetProperty("dynamodb").GetProperty("NewImage").GetProperty("kind").GetProperty("S").GetString();
}
