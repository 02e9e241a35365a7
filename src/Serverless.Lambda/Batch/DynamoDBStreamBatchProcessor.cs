using Microsoft.Extensions.Logging;
using Serverless.Lambda.Events;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Batch;

/// <summary>
/// Runs a per-record handler over a DynamoDB stream batch and answers with <c>batchItemFailures</c> (the mapping
/// needs <c>FunctionResponseTypes: [ReportBatchItemFailures]</c>).
/// <para>
/// Records run one at a time, in batch order: a stream keeps the changes of one item in order, and so must we.
/// On the first failure the processor stops and reports that record and every later one. Lambda retries a stream
/// from the lowest reported sequence number anyway; reporting the rest as well says plainly that they were not
/// processed, so no later change of the same item is applied before the failed one.
/// </para>
/// <para>
/// With <see cref="BatchProcessorOptions.MaxConcurrency"/> above 1, the records of different items run concurrently
/// and each item's records still run in order. A failure stops only its own item: the item's later records wait for
/// the retry, while the other items' records are still handled, so one poison record does not hold back the changes
/// of every other item while Lambda retries it. The answer is the same as in order: every record before the first
/// one that failed (or was not reached) has been handled, and that record and every later one are reported, so the
/// other items' later records are handled again on retry, which handlers must allow (see
/// <see cref="IDynamoDBRecordHandler"/>).
/// </para>
/// </summary>
public sealed partial class DynamoDBStreamBatchProcessor
{
    private readonly ILogger _logger;
    private readonly BatchProcessorOptions _options;

    public DynamoDBStreamBatchProcessor(ILogger logger, BatchProcessorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _options = options ?? new BatchProcessorOptions();
    }

    /// <summary>Processes the batch and returns the response Lambda expects.</summary>
    /// <param name="context">When given, processing stops <see cref="BatchProcessorOptions.DeadlineMargin"/> before its deadline.</param>
    /// <exception cref="StreamBatchException">A failed record has no SequenceNumber, so no partial answer can name it.</exception>
    public async ValueTask<StreamsEventResponse> ProcessAsync(
        DynamoDBEvent streamEvent, IDynamoDBRecordHandler handler, ILambdaContext? context, CancellationToken cancellationToken) =>
        (await RunAsync(streamEvent, handler, context, cancellationToken).ConfigureAwait(false)).Response;

    /// <summary>As <see cref="ProcessAsync"/>, with the batch's counts.</summary>
    public async ValueTask<StreamBatchResult> RunAsync(
        DynamoDBEvent streamEvent, IDynamoDBRecordHandler handler, ILambdaContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(streamEvent);
        ArgumentNullException.ThrowIfNull(handler);
        var records = streamEvent.Records ?? [];

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (context is not null && context.RemainingTime - _options.DeadlineMargin is { } budget && budget > TimeSpan.Zero)
        {
            deadline.CancelAfter(budget);
        }

        var results = new RecordResult?[records.Count];
        var errors = new Exception?[records.Count];
        if (_options.MaxConcurrency > 1 && records.Count > 1)
        {
            await Parallel.ForEachAsync(
                ItemGroups(records),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency },
                async (indices, _) =>
                {
                    // A later change of an item must never be applied before its failed earlier one.
                    foreach (var index in indices)
                    {
                        if (!await HandleAsync(records, index, handler, results, errors, deadline.Token, cancellationToken).ConfigureAwait(false))
                        {
                            return;
                        }
                    }
                }).ConfigureAwait(false);
        }
        else
        {
            for (var index = 0; index < records.Count; index++)
            {
                if (!await HandleAsync(records, index, handler, results, errors, deadline.Token, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }

        return Answer(records, results, errors);
    }

    /// <summary>Runs the handler on one record into <paramref name="results"/> or <paramref name="errors"/>; false when it failed.</summary>
    private static async ValueTask<bool> HandleAsync(
        List<DynamoDBEventRecord> records, int index, IDynamoDBRecordHandler handler, RecordResult?[] results, Exception?[] errors,
        CancellationToken deadline, CancellationToken cancellationToken)
    {
        // Every line written while the record is handled, by any logger, names the record.
        using var recordScope = LogContextOf(records[index]);
        try
        {
            deadline.ThrowIfCancellationRequested();
            results[index] = await handler.HandleAsync(records[index], deadline).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is shutting down, not a record failing: let the caller see it.
            throw;
        }
        catch (Exception exception)
        {
            errors[index] = exception;
            return false;
        }
    }

    /// <summary>Counts and logs what was handled; the answer starts at the first record that was not handled, for whatever reason.</summary>
    private StreamBatchResult Answer(List<DynamoDBEventRecord> records, RecordResult?[] results, Exception?[] errors)
    {
        var first = Array.FindIndex(results, r => r is null);
        int processed = 0, ignored = 0, unrecognized = 0;
        for (var index = 0; index < (first < 0 ? records.Count : first); index++)
        {
            var record = records[index];
            var result = results[index]!.Value;
            switch (result.Outcome)
            {
                case RecordOutcome.Processed:
                    processed++;
                    break;
                case RecordOutcome.Ignored:
                    ignored++;
                    using (LogContextOf(record))
                    {
                        LogRecordIgnored(record.Dynamodb?.SequenceNumber, record.EventName, result.Reason ?? "");
                    }

                    break;
                default:
                    unrecognized++;
                    using (LogContextOf(record))
                    {
                        LogRecordUnrecognized(record.Dynamodb?.SequenceNumber, record.EventId, record.EventName, result.Reason ?? "");
                    }

                    break;
            }
        }

        RecordAges(records, first < 0 ? records.Count : first);
        if (first < 0)
        {
            var done = new BatchSummary(records.Count, processed, ignored, unrecognized, 0);
            LogBatchDone(done.Records, done.Processed, done.Ignored, done.Unrecognized, done.Failed);
            Measure(done);
            return new StreamBatchResult(new StreamsEventResponse(), done);
        }

        var response = Failures(records, first);
        var failed = records[first];
        using (LogContextOf(failed))
        {
            LogRecordFailed(
                failed.Dynamodb?.SequenceNumber, failed.EventId, failed.EventName, first + 1, records.Count, records.Count - first - 1,
                errors[first] is { } error ? DescribeError(error) : "not reached before the deadline");
        }

        var summary = new BatchSummary(records.Count, processed, ignored, unrecognized, records.Count - first);
        LogBatchDone(summary.Records, summary.Processed, summary.Ignored, summary.Unrecognized, summary.Failed);
        Measure(summary);
        return new StreamBatchResult(response, summary);
    }

    /// <summary>The record's eventID (as correlation_id) and sequence number on every line written under the scope.</summary>
    private static IDisposable LogContextOf(DynamoDBEventRecord record) =>
        LambdaLogContext.BeginRecord(record.EventId, record.Dynamodb?.SequenceNumber);

    /// <summary>The batch's counts into the invocation's metrics (a count of zero is not written: nothing happened).</summary>
    private static void Measure(BatchSummary summary)
    {
        InvocationMetrics.Add(StreamMetricNames.BatchSize, MetricUnit.Count, summary.Records);
        InvocationMetrics.Add(StreamMetricNames.RecordsProcessed, MetricUnit.Count, summary.Processed);
        InvocationMetrics.Add(StreamMetricNames.BatchItemFailures, MetricUnit.Count, summary.Failed);
    }

    /// <summary>How old each handled record was when it was handled: the lag a growing iterator age warns of, per record.</summary>
    private void RecordAges(List<DynamoDBEventRecord> records, int handled)
    {
        if (InvocationMetrics.Current is not { } collector)
        {
            return;
        }

        var now = _options.Clock.GetUtcNow();
        for (var index = 0; index < handled; index++)
        {
            if (records[index].Dynamodb?.ApproximateCreationDateTime is { } created)
            {
                collector.Add(StreamMetricNames.RecordAge, MetricUnit.Milliseconds, Math.Max(0, (now - created).TotalMilliseconds));
            }
        }
    }

    /// <summary>
    /// The batch's record indices grouped by item (the record's <c>Keys</c>), each group in batch order, the groups in
    /// the order of their first record. A record without keys is a group of its own.
    /// </summary>
    private static List<List<int>> ItemGroups(List<DynamoDBEventRecord> records)
    {
        var groups = new List<List<int>>();
        var byItem = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var index = 0; index < records.Count; index++)
        {
            var key = ItemKey(records[index]);
            if (key is null)
            {
                groups.Add([index]);
                continue;
            }

            if (!byItem.TryGetValue(key, out var group))
            {
                byItem[key] = group = [];
                groups.Add(group);
            }

            group.Add(index);
        }

        return groups;
    }

    private static string? ItemKey(DynamoDBEventRecord record)
    {
        if (record.Dynamodb?.Keys is not { Count: > 0 } keys)
        {
            return null;
        }

        var text = new System.Text.StringBuilder();
        foreach (var (name, value) in keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            // Names and values joined with control characters, which never occur in the table's keys.
            text.Append(name).Append('\u0001').Append(value.S ?? value.N ?? (value.B is { } b ? Convert.ToBase64String(b) : "")).Append('\u0002');
        }

        return text.ToString();
    }

    /// <summary>The failed record and every later one, each sequence number once (a batch can repeat one).</summary>
    private static StreamsEventResponse Failures(List<DynamoDBEventRecord> records, int firstFailed)
    {
        var first = records[firstFailed].Dynamodb?.SequenceNumber;
        if (string.IsNullOrEmpty(first))
        {
            // Lambda reads an empty identifier as a failure of the whole batch; saying so outright is clearer.
            throw new StreamBatchException(
                $"Record {firstFailed + 1} of the batch failed and has no SequenceNumber to report; failing the whole batch.");
        }

        var response = new StreamsEventResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = firstFailed; i < records.Count; i++)
        {
            // A later record without a sequence number is still retried: Lambda resumes from the lowest reported one.
            if (records[i].Dynamodb?.SequenceNumber is { Length: > 0 } sequenceNumber && seen.Add(sequenceNumber))
            {
                response.BatchItemFailures.Add(new BatchItemFailure { ItemIdentifier = sequenceNumber });
            }
        }

        return response;
    }

    private string DescribeError(Exception exception)
    {
        try
        {
            return _options.DescribeError(exception);
        }
        catch (Exception)
        {
            // A faulty describer must not turn one failed record into a failed batch.
            return exception.GetType().Name;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error,
        Message = "Stream record {SequenceNumber} (eventID {EventId}, {EventName}, {Position} of {Count}) failed; it and {Later} " +
                  "later record(s) are reported in batchItemFailures. Error: {Error}")]
    private partial void LogRecordFailed(string? sequenceNumber, string? eventId, string? eventName, int position, int count, int later, string error);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Stream record {SequenceNumber} ({EventName}) ignored: {Reason}")]
    private partial void LogRecordIgnored(string? sequenceNumber, string? eventName, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Stream record {SequenceNumber} (eventID {EventId}, {EventName}) skipped, not recognized: {Reason}")]
    private partial void LogRecordUnrecognized(string? sequenceNumber, string? eventId, string? eventName, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Stream batch of {Records}: {Processed} processed, {Ignored} ignored, {Unrecognized} unrecognized, {Failed} reported as failed")]
    private partial void LogBatchDone(int records, int processed, int ignored, int unrecognized, int failed);
}

/// <summary>The response for Lambda and what happened to the batch.</summary>
public sealed record StreamBatchResult(StreamsEventResponse Response, BatchSummary Summary);
