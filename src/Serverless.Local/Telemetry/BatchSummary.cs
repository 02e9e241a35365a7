using System.Diagnostics;
using System.Globalization;
using Serverless.Data.Client;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Lambda.Metrics;

namespace Serverless.Local.Telemetry;

/// <summary>
/// Wraps a stream function's local invocations: one short line per batch in the stack's output (function, records,
/// failures, DynamoDB capacity, duration) and the batch's counts into <see cref="LocalMetrics"/> by <c>Function</c>.
/// The counts come from the event and the answer, as Lambda's event source mapping sees them.
/// </summary>
public static class BatchSummary
{
    public const string FunctionDimension = "Function";

    public static Func<ReadOnlyMemory<byte>, CancellationToken, Task<ReadOnlyMemory<byte>>> Around(
        string functionName, Func<ReadOnlyMemory<byte>, CancellationToken, Task<ReadOnlyMemory<byte>>> invoke, LocalMetrics metrics, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(output);
        return async (payload, ct) =>
        {
            var records = RecordsIn(payload);
            using var cost = ConsumedCapacityScope.Begin();
            var started = Stopwatch.GetTimestamp();
            ReadOnlyMemory<byte> response;
            int failures;
            string? error = null;
            try
            {
                response = await invoke(payload, ct);
                failures = FailuresIn(response) ?? records;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                error = e.GetType().Name;
                failures = records;
                Write(functionName, records, failures, cost, started, error, metrics, output);
                throw;
            }

            Write(functionName, records, failures, cost, started, error, metrics, output);
            return response;
        };
    }

    private static void Write(
        string functionName, int records, int failures, ConsumedCapacityScope cost, long started, string? error, LocalMetrics metrics, TextWriter output)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        var read = Math.Round(cost.ReadCapacityUnits, 3);
        var write = Math.Round(cost.WriteCapacityUnits, 3);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[{functionName}] batch: {records} record(s), {failures} failure(s), {read} RCU, {write} WCU in {Math.Round(elapsed.TotalMilliseconds, 1)} ms{(error is null ? "" : $" (failed: {error})")}"));
        KeyValuePair<string, string>[] by = [new(FunctionDimension, functionName)];
        metrics.Record(StreamMetricNames.BatchSize, MetricUnit.Count, records, by);
        metrics.Record(StreamMetricNames.BatchItemFailures, MetricUnit.Count, failures, by);
        metrics.Record(StreamMetricNames.BatchConsumedReadCapacity, MetricUnit.Count, read, by);
        metrics.Record(StreamMetricNames.BatchConsumedWriteCapacity, MetricUnit.Count, write, by);
    }

    private static int RecordsIn(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return LambdaEventSerializer.Deserialize(payload.Span, LambdaJsonContext.Default.DynamoDBEvent).Records?.Count ?? 0;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>The reported batchItemFailures; null when the answer is no such object (the mapping then retries it all).</summary>
    private static int? FailuresIn(ReadOnlyMemory<byte> response)
    {
        if (response.IsEmpty)
        {
            return 0;
        }

        try
        {
            return LambdaEventSerializer.Deserialize(response.Span, LambdaJsonContext.Default.StreamsEventResponse).BatchItemFailures.Count;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
