using System.Diagnostics.Metrics;

namespace Serverless.Data.Client;

/// <summary>
/// What every DynamoDB call of a client made by <see cref="DynamoDbClients"/> reports: its latency per operation and
/// index, the capacity it consumed (asked for on every call: <c>ReturnConsumedCapacity = INDEXES</c>), throttled
/// attempts, and, past <see cref="SlowThreshold"/>, one <see cref="DynamoDbOperation"/> for the slow-operation log. The
/// measurements go to the <see cref="MeterName"/> meter (the Lambda layer carries them into EMF) and to the current
/// <see cref="ConsumedCapacityScope"/> (a request's or a batch's cost). Nothing here ever holds a value of an item,
/// a key or an expression: operation and index names, attribute names and counts only.
/// </summary>
public sealed class DynamoDbTelemetry
{
    public const string MeterName = DataDiagnostics.Name;

    /// <summary>The slow-operation threshold when none is configured (the seed's "slow query" line: over 100 ms).</summary>
    public static readonly TimeSpan DefaultSlowThreshold = TimeSpan.FromMilliseconds(100);

    // Dimensions: their names, and each one's closed set of values (a request value can never become one).
    public const string OperationDimension = "Operation";
    public const string IndexDimension = "Index";

    /// <summary>The <see cref="IndexDimension"/> value of a call on the table itself (not an index).</summary>
    public const string TableIndexValue = "table";

    public const string LatencyMetric = "DynamoDbLatency";
    public const string ReadCapacityMetric = "DynamoDbConsumedReadCapacity";
    public const string WriteCapacityMetric = "DynamoDbConsumedWriteCapacity";
    public const string ThrottlesMetric = "DynamoDbThrottles";
    public const string ErrorsMetric = "DynamoDbErrors";

    private static Meter Meter => DataDiagnostics.Meter;
    internal static readonly Histogram<double> Latency = Meter.CreateHistogram<double>(LatencyMetric, "Milliseconds");
    internal static readonly Counter<double> ReadCapacity = Meter.CreateCounter<double>(ReadCapacityMetric, "Count");
    internal static readonly Counter<double> WriteCapacity = Meter.CreateCounter<double>(WriteCapacityMetric, "Count");
    internal static readonly Counter<long> Throttles = Meter.CreateCounter<long>(ThrottlesMetric, "Count");
    internal static readonly Counter<long> Errors = Meter.CreateCounter<long>(ErrorsMetric, "Count");

    /// <summary>The operations the project calls (every other is reported as <c>Other</c>).</summary>
    public static IReadOnlyCollection<string> Operations { get; } =
    [
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
        "BatchExecuteStatement", "TransactGetItems", "TransactWriteItems", "DescribeTable", "DescribeTimeToLive", "Other",
    ];

    /// <summary>The index names a call can carry: the table's own indexes and <see cref="TableIndexValue"/>.</summary>
    public static IReadOnlyCollection<string> Indexes { get; } =
        [TableIndexValue, .. TableDefinition.Indexes.Select(i => i.Name)];

    /// <summary>The dimensions above with their values, for the metric vocabulary of a function that uses the table.</summary>
    public static IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions =>
    [
        new(OperationDimension, Operations),
        new(IndexDimension, Indexes),
    ];

    public DynamoDbTelemetry(TimeSpan? slowThreshold = null, Action<DynamoDbOperation>? onSlowOperation = null)
    {
        SlowThreshold = slowThreshold ?? DefaultSlowThreshold;
        if (SlowThreshold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(slowThreshold), "The slow-operation threshold cannot be negative.");
        }

        OnSlowOperation = onSlowOperation;
    }

    /// <summary>Telemetry without a slow-operation log (metrics and request cost only).</summary>
    public static DynamoDbTelemetry MetricsOnly { get; } = new();

    public TimeSpan SlowThreshold { get; }

    /// <summary>Called once for each call that took longer than <see cref="SlowThreshold"/>.</summary>
    public Action<DynamoDbOperation>? OnSlowOperation { get; }
}

/// <summary>
/// One DynamoDB call, as the slow-operation log writes it: the shape of what was asked, never a value. Expressions are
/// written with their attribute-name placeholders resolved (names are the schema's) and their value placeholders
/// kept (DynamoDB takes values only through placeholders, so an expression holds none).
/// </summary>
public sealed record DynamoDbOperation
{
    public required string Operation { get; init; }

    /// <summary>The index queried or scanned, or <see cref="DynamoDbTelemetry.TableIndexValue"/>.</summary>
    public required string Index { get; init; }

    public string? KeyCondition { get; init; }

    public string? Filter { get; init; }

    /// <summary>The key attributes' names of a call by key (GetItem, PutItem, ...), or of each item of a batch.</summary>
    public string? KeyShape { get; init; }

    /// <summary>Items named by a batch or transaction.</summary>
    public int? RequestItems { get; init; }

    /// <summary>Pages this call read: one for a Query or Scan call (a caller paging through makes one call per page).</summary>
    public int Pages { get; init; } = 1;

    public int? ItemsReturned { get; init; }

    public int? ItemsScanned { get; init; }

    public double ReadCapacity { get; init; }

    public double WriteCapacity { get; init; }

    /// <summary>Attempts the SDK retried (throttles and 5xx answers).</summary>
    public int Retries { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The error's type when the call failed.</summary>
    public string? Error { get; init; }

    /// <summary>The slow-operation line's event name (hosts log it with <see cref="LogState"/> as the state).</summary>
    public const string LogEventName = "SlowOperation";

    public const int LogEventId = 9002;

    /// <summary>The line's fields (snake_case, as the JSON log writes them) and its message as the state's text.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> LogState() => new OperationLogState(this);

    private sealed class OperationLogState(DynamoDbOperation o) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _fields =
        [
            new("operation", o.Operation),
            new("index", o.Index),
            new("duration_ms", Math.Round(o.Duration.TotalMilliseconds, 3)),
            new("key_condition", o.KeyCondition),
            new("filter", o.Filter),
            new("key_shape", o.KeyShape),
            new("request_items", o.RequestItems),
            new("pages", o.Pages),
            new("items_returned", o.ItemsReturned),
            new("items_scanned", o.ItemsScanned),
            new("read_capacity", Math.Round(o.ReadCapacity, 3)),
            new("write_capacity", Math.Round(o.WriteCapacity, 3)),
            new("retries", o.Retries),
            new("error", o.Error),
        ];

        public KeyValuePair<string, object?> this[int index] => _fields[index];

        public int Count => _fields.Length;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_fields).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            System.FormattableString.Invariant(
                $"Slow DynamoDB {o.Operation} on {o.Index}: {o.Duration.TotalMilliseconds:0.###} ms ({o.ItemsReturned?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} items returned, {o.ReadCapacity:0.###} RCU, {o.WriteCapacity:0.###} WCU, {o.Retries} retries)");
    }
}
