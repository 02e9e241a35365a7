using System.Runtime.CompilerServices;
using System.Text.Json;
using Serverless.Local.Streams;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// The GetRecords pages the mappings of one emulator share. Every mapping reads the same table's stream in the same
/// order, so the page that follows a given record is the same page for each of them: the first reader to ask for it
/// fetches it, readers asking while that fetch runs wait for it, and readers arriving later take it from here. Each
/// record is turned into the event record Lambda would send, and into the JSON its filters see, once for all.
/// Only an optimisation: a reader whose page is no longer held fetches it itself with the iterator it holds, so each
/// mapping still reads the stream independently, at its own pace, as separate mappings do in AWS. Pages that hold
/// nothing (a reader at the tip polling) are never kept: the next poll must ask the stream again.
/// </summary>
internal sealed class ShardPageCache(int pagesPerShard = ShardPageCache.DefaultPagesPerShard)
{
    /// <summary>Pages kept per shard: enough for readers a few pages apart (a page is up to 1,000 records).</summary>
    public const int DefaultPagesPerShard = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Shard, string Position), Task<SharedPage>> _pages = [];
    private readonly Dictionary<string, Queue<string>> _order = new(StringComparer.Ordinal);

    /// <summary>GetRecords calls made through this cache, and pages answered from it (what the sharing saved).</summary>
    public long Fetched => Interlocked.Read(ref _fetched);

    public long Shared => Interlocked.Read(ref _shared);

    private long _fetched;
    private long _shared;

    /// <summary>The position key of the page after <paramref name="sequenceNumber"/>; the shard's first page when null.</summary>
    public static string After(string? sequenceNumber) => sequenceNumber is null ? "trim-horizon" : "after:" + sequenceNumber;

    /// <summary>The page at <paramref name="position"/> of <paramref name="shardKey"/>: held, being fetched, or fetched now by <paramref name="fetch"/>.</summary>
    public async Task<SharedPage> GetAsync(string shardKey, string position, Func<Task<SharedPage>> fetch)
    {
        Task<SharedPage> page;
        var mine = false;
        lock (_gate)
        {
            if (!_pages.TryGetValue((shardKey, position), out page!))
            {
                page = fetch();
                mine = true;
                _pages[(shardKey, position)] = page;
                if (!_order.TryGetValue(shardKey, out var order))
                {
                    _order[shardKey] = order = new Queue<string>();
                }

                order.Enqueue(position);
                while (order.Count > pagesPerShard)
                {
                    _pages.Remove((shardKey, order.Dequeue()));
                }
            }
        }

        if (mine)
        {
            Interlocked.Increment(ref _fetched);
        }
        else
        {
            Interlocked.Increment(ref _shared);
        }

        try
        {
            var result = await page.ConfigureAwait(false);
            if (mine && result.Records.Count == 0)
            {
                Forget(shardKey, position, page);
            }

            return result;
        }
        catch
        {
            // A failed fetch is not an answer: each reader handles the error, and the next ask fetches again.
            Forget(shardKey, position, page);
            throw;
        }
    }

    private void Forget(string shardKey, string position, Task<SharedPage> page)
    {
        lock (_gate)
        {
            if (_pages.TryGetValue((shardKey, position), out var held) && ReferenceEquals(held, page))
            {
                _pages.Remove((shardKey, position));
                // Out of the eviction order too: a reader polling at the tip asks for the same empty place again and
                // again, and each ask must not push a held page out.
                var order = _order[shardKey];
                var kept = order.Where(p => p != position).ToList();
                order.Clear();
                foreach (var p in kept)
                {
                    order.Enqueue(p);
                }
            }
        }
    }
}

/// <summary>One GetRecords page, as every mapping sees it.</summary>
/// <param name="NextShardIterator">Where the stream goes on after this page (null: the shard is closed and read to its end).</param>
internal sealed record SharedPage(IReadOnlyList<SharedRecord> Records, string? NextShardIterator);

/// <summary>A record as Lambda would send it, with the JSON its filter patterns see (made the first time a mapping with filters asks).</summary>
internal sealed class SharedRecord(LambdaStreamRecord record)
{
    private StrongBox<JsonElement>? _filterView;

    public LambdaStreamRecord Record { get; } = record;

    public string SequenceNumber => Record.Source.Dynamodb.SequenceNumber;

    /// <summary>The record exactly as the function would receive it; two readers racing here at worst both build it.</summary>
    public JsonElement FilterView
    {
        get
        {
            if (Volatile.Read(ref _filterView) is { } view)
            {
                return view.Value;
            }

            using var doc = JsonDocument.Parse(StreamEventWriter.WriteRecord(Record));
            var built = doc.RootElement.Clone();
            Volatile.Write(ref _filterView, new StrongBox<JsonElement>(built));
            return built;
        }
    }
}
