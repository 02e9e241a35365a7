
namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// Takes one batch of a shard to completion: invokes, reads the outcome, retries, bisects, and finally gives up to the
/// on-failure destination. Sub-batches run strictly in order, so records of one item never overtake each other.
/// </summary>
internal sealed class BatchInvoker(
    StreamFunctionMapping mapping,
    string streamArn,
    string shardId,
    EventSourceMappingEmulatorOptions options,
    TimeProvider clock,
    TextWriter log)
{
    private readonly EventSourceMappingSettings _settings = mapping.Settings;

    public async Task ProcessAsync(IReadOnlyList<LambdaStreamRecord> batch, CancellationToken ct)
    {
        // A stack of pending sub-batches, the earliest records on top.
        var pending = new Stack<Attempt>();
        pending.Push(new Attempt(batch, Retries: 0, Invokes: 0, LastWasFunctionError: false));
        while (pending.TryPop(out var attempt))
        {
            var records = attempt.Records;
            if (_settings.MaximumRecordAgeInSeconds >= 0)
            {
                var expired = CountExpired(records);
                if (expired > 0)
                {
                    await GiveUpAsync(records.Take(expired).ToList(), OnFailureConditions.RecordAgeExceeded, attempt, ct);
                    records = records.Skip(expired).ToList();
                    if (records.Count == 0)
                    {
                        continue;
                    }
                }
            }

            var outcome = await InvokeAsync(records, ct);
            var invokes = attempt.Invokes + 1;
            switch (outcome)
            {
                case BatchOutcome.Success:
                    break;

                case BatchOutcome.Partial partial:
                {
                    // Lambda checkpoints before the lowest failed record; only it and what follows are sent again.
                    var failed = records.Skip(partial.FirstFailedIndex).ToList();
                    await RetryOrGiveUpAsync(pending, new Attempt(failed, attempt.Retries + 1, invokes, LastWasFunctionError: false), ct);
                    break;
                }

                case BatchOutcome.Failed failure:
                {
                    await log.WriteLineAsync($"[{_settings.FunctionName}] {shardId}: batch of {records.Count} failed: {failure.Reason}");
                    if (_settings.BisectBatchOnFunctionError && failure.FunctionError && records.Count > 1)
                    {
                        // A split is not a retry: each half keeps the retry count so far, and halving always ends.
                        var half = records.Count / 2;
                        pending.Push(new Attempt(records.Skip(half).ToList(), attempt.Retries, invokes, true));
                        pending.Push(new Attempt(records.Take(half).ToList(), attempt.Retries, invokes, true));
                        break;
                    }

                    await RetryOrGiveUpAsync(pending, new Attempt(records, attempt.Retries + 1, invokes, failure.FunctionError), ct);
                    break;
                }
            }
        }
    }

    private async Task RetryOrGiveUpAsync(Stack<Attempt> pending, Attempt next, CancellationToken ct)
    {
        if (_settings.MaximumRetryAttempts >= 0 && next.Retries > _settings.MaximumRetryAttempts)
        {
            await GiveUpAsync(next.Records, OnFailureConditions.RetryAttemptsExhausted, next, ct);
            return;
        }

        await Task.Delay(ShardReader.Doubled(options.RetryDelay, next.Retries - 1, options.MaximumRetryDelay), clock, ct);
        pending.Push(next);
    }

    private async Task<BatchOutcome> InvokeAsync(IReadOnlyList<LambdaStreamRecord> records, CancellationToken ct)
    {
        var payload = StreamEventWriter.WriteEvent(records);
        ReadOnlyMemory<byte> response;
        try
        {
            response = await mapping.Function(payload, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return new BatchOutcome.Failed($"{e.GetType().Name}: {e.Message}", FunctionError: true);
        }

        return _settings.ReportBatchItemFailures
            ? BatchOutcome.FromResponse(response.Span, records.Select(r => r.SequenceNumber).ToList())
            : new BatchOutcome.Success();
    }

    private int CountExpired(IReadOnlyList<LambdaStreamRecord> records)
    {
        var oldestAllowed = clock.GetUtcNow() - TimeSpan.FromSeconds(_settings.MaximumRecordAgeInSeconds);
        var count = 0;
        while (count < records.Count && records[count].ApproximateCreation is { } created && created < oldestAllowed)
        {
            count++;
        }

        return count;
    }

    private async Task GiveUpAsync(IReadOnlyList<LambdaStreamRecord> records, string condition, Attempt attempt, CancellationToken ct)
    {
        var first = records[0];
        var last = records[^1];
        var record = new OnFailureRecord
        {
            RequestContext = new OnFailureRequestContext
            {
                RequestId = Guid.NewGuid().ToString(),
                FunctionArn = $"arn:aws:lambda:{options.Region}:{options.AccountId}:function:{_settings.FunctionName}",
                Condition = condition,
                ApproximateInvokeCount = attempt.Invokes,
            },
            ResponseContext = new OnFailureResponseContext { FunctionError = attempt.LastWasFunctionError ? "Unhandled" : null },
            Timestamp = StreamEventWriter.Iso8601Seconds(clock.GetUtcNow()),
            DdbStreamBatchInfo = new DdbStreamBatchInfo
            {
                ShardId = shardId,
                StartSequenceNumber = first.SequenceNumber,
                EndSequenceNumber = last.SequenceNumber,
                ApproximateArrivalOfFirstRecord = first.ApproximateCreation is { } a ? StreamEventWriter.Iso8601Seconds(a) : null,
                ApproximateArrivalOfLastRecord = last.ApproximateCreation is { } b ? StreamEventWriter.Iso8601Seconds(b) : null,
                BatchSize = records.Count,
                StreamArn = streamArn,
            },
        };

        await log.WriteLineAsync($"[{_settings.FunctionName}] {shardId}: giving up {records.Count} record(s) {first.SequenceNumber}..{last.SequenceNumber} ({condition})"
            + (mapping.OnFailure is null ? "; no on-failure destination, dropped" : ""));
        if (mapping.OnFailure is not null)
        {
            await mapping.OnFailure.SendAsync(record, ct);
        }
    }

    private sealed record Attempt(IReadOnlyList<LambdaStreamRecord> Records, int Retries, int Invokes, bool LastWasFunctionError);
}
