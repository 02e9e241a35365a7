using Serverless.Local.EventSourceMapping;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>The shard is read on while a batch is handled, so a function that keeps up is never also waiting for GetRecords.</summary>
public sealed class ReadAheadTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_next_GetRecords_is_sent_while_a_batch_is_still_being_handled()
    {
        var table = await CreateAsync(dynamo.Client, "esm-readahead", _ct);
        // One record: once its batch is taken nothing is buffered, so the reader may read on (it holds at most a batch ahead).
        await PutAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct, ("v", N(1)));
        var counter = new GetRecordsCounter();
        var readWhileHandling = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var invocations = 0;
        async Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            if (Interlocked.Increment(ref invocations) == 1)
            {
                // The first batch stays in hand until the reader has asked the stream for more, or ten seconds pass.
                var before = counter.Count;
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (counter.Count == before && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(20, ct);
                }

                readWhileHandling.TrySetResult(counter.Count > before);
            }

            return ReadOnlyMemory<byte>.Empty;
        }

        var settings = new EventSourceMappingSettings { FunctionName = "SlowFunction", BatchSize = 1 };
        await using var emulator = await EmulatorHarness.StartAsync(dynamo, new StreamFunctionMapping(settings, table, InvokeAsync), _ct, streamsHandler: counter);

        Assert.True(await readWhileHandling.Task.WaitAsync(TimeSpan.FromSeconds(30), _ct), "no GetRecords while the first batch was in hand");
        await PutAsync(dynamo.Client, table, "USER#2", "PROFILE", _ct, ("v", N(1)));
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref invocations) >= 2, "the second record's batch followed", _ct, TimeSpan.FromSeconds(30));
    }

    /// <summary>Counts the emulator's GetRecords calls on their way to DynamoDB Local.</summary>
    private sealed class GetRecordsCounter() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.Any(t => t.EndsWith(".GetRecords", StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref _count);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
