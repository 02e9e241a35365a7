using Serverless.Data.Client.Faults;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>
/// The event source mapping's own reads of the stream (DescribeStream, GetShardIterator, GetRecords) faulted at a
/// seeded rate while items are written: every record reaches the function exactly once, in its item's order. A fault
/// is asked again from where the reader stands, never by starting the shard over. docs/reliability.md holds the table
/// these rows produce.
/// </summary>
public sealed class StreamReadsUnderFaultsTests(DynamoDbLocalFixture dynamo)
{
    private const int Items = 60;
    private const int ChangesPerItem = 3;
    private const double Rate = 0.3;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Under_faults_every_stream_record_reaches_the_function_once_and_in_order(FaultClass fault)
    {
        var table = await CreateAsync(dynamo.Client, "esm-faults", _ct);
        var function = new RecordingFunction();
        using var faults = new FaultInjectingHandler(FaultOptions.Only(fault, Rate, seed: 40 + (int)fault), new SocketsHttpHandler());
        var settings = new EventSourceMappingSettings { FunctionName = "FaultedReads", BatchSize = 25 };
        await using (await EmulatorHarness.StartAsync(dynamo, new StreamFunctionMapping(settings, table, function.InvokeAsync), _ct, streamsHandler: faults))
        {
            // Written while the emulator reads, in rounds, so the reader polls (and is faulted) many times, not once for all.
            for (var change = 1; change <= ChangesPerItem; change++)
            {
                for (var item = 0; item < Items; item++)
                {
                    await PutAsync(dynamo.Client, table, $"ITEM#{item}", "STATE", _ct, ("change", N(change)));
                    if (item % 20 == 19)
                    {
                        await Task.Delay(100, _ct);
                    }
                }
            }

            await Eventually.WaitUntilAsync(() => function.AllRecords.Count >= Items * ChangesPerItem, "every record delivered", _ct, TimeSpan.FromSeconds(90));
            // A record delivered twice would come from a page asked for again: let the reader poll on at the tip a while.
            var polled = faults.Counters.Eligible;
            await Eventually.WaitUntilAsync(() => faults.Counters.Eligible >= polled + 20, "the reader polled on", _ct, TimeSpan.FromSeconds(30));
        }

        var records = function.AllRecords;
        var sequenceNumbers = records.Select(r => r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!).ToList();
        var changes = records
            .GroupBy(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("PK").GetProperty("S").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.GetProperty("dynamodb").GetProperty("NewImage").GetProperty("change").GetProperty("N").GetString()).ToList());
        var duplicated = sequenceNumbers.Count - sequenceNumbers.Distinct(StringComparer.Ordinal).Count();
        var lost = Items * ChangesPerItem - sequenceNumbers.Distinct(StringComparer.Ordinal).Count();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| {fault} | {Rate} | {Items * ChangesPerItem} | {lost} | {duplicated} | {function.Invocations.Count} | {faults.Counters.TotalInjected} / {faults.Counters.Eligible} |");

        Assert.True(faults.Counters.Injected(fault) > 0, "no fault was injected");
        Assert.Equal(0, duplicated);
        Assert.Equal(0, lost);
        Assert.Equal(Items, changes.Count);
        // Each item's changes in the order they were made (1, 2, 3).
        Assert.All(changes, c => Assert.Equal(Enumerable.Range(1, ChangesPerItem).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), c.Value));
    }

    [Fact]
    public async Task A_reader_whose_GetRecords_keep_timing_out_asks_less_often_and_reads_on_once_answered()
    {
        // DynamoDB Local runs a request its client gave up on: asked again at once behind a long request, each reader's
        // copies pile up in its queue. The test harness pauses 100 ms after the first timeout, doubling to 800 ms.
        var table = await CreateAsync(dynamo.Client, "esm-stalled", _ct);
        await PutAsync(dynamo.Client, table, "ITEM#1", "STATE", _ct, ("change", N(1)));
        var function = new RecordingFunction();
        using var stalled = new TimingOutGetRecords();
        var settings = new EventSourceMappingSettings { FunctionName = "StalledReads", BatchSize = 25 };
        await using (await EmulatorHarness.StartAsync(dynamo, new StreamFunctionMapping(settings, table, function.InvokeAsync), _ct, streamsHandler: stalled))
        {
            await Eventually.WaitUntilAsync(() => stalled.TimedOut >= 1, "a GetRecords timed out", _ct, TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(4), _ct);
            var inFourSeconds = stalled.TimedOut;
            Assert.Empty(function.Invocations);

            stalled.Answer();
            await Eventually.WaitUntilAsync(() => function.AllRecords.Count >= 1, "the record delivered once GetRecords was answered", _ct, TimeSpan.FromSeconds(30));

            // Pauses of 0.1, 0.2, 0.4, then 0.8 s: about 8 tries in the 4 s after the first, against 40 at a fixed 100 ms.
            Assert.InRange(inFourSeconds, 3, 12);
        }

        Assert.Single(function.AllRecords);
    }

    /// <summary>Every GetRecords times out (as HttpClient reports its own timeout) until <see cref="Answer"/>.</summary>
    private sealed class TimingOutGetRecords() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _timedOut;
        private volatile bool _answer;

        public int TimedOut => Volatile.Read(ref _timedOut);

        public void Answer() => _answer = true;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!_answer && request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.Any(t => t.EndsWith(".GetRecords", StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref _timedOut);
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException());
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
