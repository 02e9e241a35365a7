using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace Serverless.Data.Client;

/// <summary>
/// The SDK's DynamoDB client with <see cref="DynamoDbTelemetry"/> in its request pipeline: one handler outside the
/// retries (makes the request's binary values safe to send again, see <see cref="BinaryValues"/>; asks for the
/// consumed capacity, times the whole call, reports it) and one inside them (counts each throttled attempt, which the
/// retries would otherwise hide).
/// </summary>
internal sealed partial class InstrumentedDynamoDbClient : AmazonDynamoDBClient
{
    private readonly DynamoDbTelemetry _telemetry;

    public InstrumentedDynamoDbClient(AmazonDynamoDBConfig config, DynamoDbTelemetry telemetry)
        : base(config) => _telemetry = telemetry;

    public InstrumentedDynamoDbClient(AWSCredentials credentials, AmazonDynamoDBConfig config, DynamoDbTelemetry telemetry)
        : base(credentials, config) => _telemetry = telemetry;

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        // The base constructor builds the pipeline before this class's fields are set: the handler reads them later.
        pipeline.AddHandlerBefore<Marshaller>(new CallHandler(this));
        pipeline.AddHandlerAfter<RetryHandler>(new AttemptHandler());
    }

    /// <summary>Around the whole call, retries included.</summary>
    private sealed class CallHandler(InstrumentedDynamoDbClient client) : PipelineHandler
    {
        public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            var request = executionContext.RequestContext.OriginalRequest;
            BinaryValues.Prepare(request);
            AskForConsumedCapacity(request);
            using var span = DataDiagnostics.Source.StartActivity(SpanNames.Of(OperationOf(request)), ActivityKind.Client);
            var clock = Stopwatch.StartNew();
            T response;
            try
            {
                response = await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Report(request, null, clock.Elapsed, executionContext, e, span);
                throw;
            }

            Report(request, response, clock.Elapsed, executionContext, null, span);
            return response;
        }

        private void Report(
            AmazonWebServiceRequest request, AmazonWebServiceResponse? response, TimeSpan elapsed, IExecutionContext context, Exception? error, Activity? span)
        {
            var retries = context.RequestContext.Retries;
            var operation = OperationOf(request);
            var index = IndexOf(request);
            var (read, write) = response is null ? (0d, 0d) : CapacityOf(operation, response);
            if (span is not null)
            {
                Tag(span, request, response, context, operation, index, read, write, error);
            }

            var tags = new TagList { { DynamoDbTelemetry.OperationDimension, operation }, { DynamoDbTelemetry.IndexDimension, index } };
            DynamoDbTelemetry.Latency.Record(elapsed.TotalMilliseconds, tags);
            if (read > 0)
            {
                DynamoDbTelemetry.ReadCapacity.Add(read, tags);
            }

            if (write > 0)
            {
                DynamoDbTelemetry.WriteCapacity.Add(write, tags);
            }

            if (error is not null && error is not OperationCanceledException)
            {
                DynamoDbTelemetry.Errors.Add(1, tags);
            }

            ConsumedCapacityScope.Record(read, write);

            var telemetry = client._telemetry;
            if (elapsed > telemetry.SlowThreshold && telemetry.OnSlowOperation is { } onSlow)
            {
                onSlow(Describe(request, response, operation, index, read, write, retries, elapsed, error));
            }
        }
    }

    /// <summary>The span's tags (<see cref="AwsSpanTags"/>): names, counts and the request id; no key, item or expression value.</summary>
    private static void Tag(
        Activity span, AmazonWebServiceRequest request, AmazonWebServiceResponse? response, IExecutionContext context,
        string operation, string index, double read, double write, Exception? error)
    {
        span.SetTag(AwsSpanTags.System, AwsSpanTags.AwsApi);
        span.SetTag(AwsSpanTags.Service, SpanNames.Service);
        span.SetTag(AwsSpanTags.Method, operation);
        span.SetTag(AwsSpanTags.Region, context.RequestContext.ClientConfig.RegionEndpoint?.SystemName ?? context.RequestContext.ClientConfig.AuthenticationRegion);
        if (TableNamesOf(request) is { Length: > 0 } tables)
        {
            span.SetTag(AwsSpanTags.TableNames, tables);
        }

        if (index != DynamoDbTelemetry.TableIndexValue)
        {
            span.SetTag(AwsSpanTags.IndexName, index);
        }

        span.SetTag(AwsSpanTags.Retries, context.RequestContext.Retries);
        if (response is not null)
        {
            span.SetTag(AwsSpanTags.RequestId, response.ResponseMetadata?.RequestId);
            span.SetTag(AwsSpanTags.StatusCode, (int)response.HttpStatusCode);
            span.SetTag(AwsSpanTags.ConsumedReadCapacity, read);
            span.SetTag(AwsSpanTags.ConsumedWriteCapacity, write);
            return;
        }

        span.SetTag(AwsSpanTags.ErrorType, error?.GetType().Name);
        if (error is AmazonServiceException service)
        {
            span.SetTag(AwsSpanTags.RequestId, service.RequestId);
            span.SetTag(AwsSpanTags.StatusCode, (int)service.StatusCode);
            if (IsThrottling(service))
            {
                span.SetTag(AwsSpanTags.Throttled, true);
            }
        }

        // The status's description is the error's type only: an exception's message may quote the request.
        span.SetStatus(ActivityStatusCode.Error, error?.GetType().Name);
    }

    /// <summary>The tables a call names: its own, or those of a batch's or a transaction's items (table names are configuration, not data).</summary>
    internal static string[]? TableNamesOf(AmazonWebServiceRequest request) => request switch
    {
        GetItemRequest r => [r.TableName],
        PutItemRequest r => [r.TableName],
        UpdateItemRequest r => [r.TableName],
        DeleteItemRequest r => [r.TableName],
        QueryRequest r => [r.TableName],
        ScanRequest r => [r.TableName],
        DescribeTableRequest r => [r.TableName],
        DescribeTimeToLiveRequest r => [r.TableName],
        BatchGetItemRequest r => r.RequestItems?.Keys.Order(StringComparer.Ordinal).ToArray(),
        BatchWriteItemRequest r => r.RequestItems?.Keys.Order(StringComparer.Ordinal).ToArray(),
        BatchExecuteStatementRequest r => r.Statements?.Select(s => StatementTable(s.Statement)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
        TransactGetItemsRequest r => r.TransactItems?.Select(i => i.Get?.TableName).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
        TransactWriteItemsRequest r => r.TransactItems?
            .Select(i => i.Put?.TableName ?? i.Update?.TableName ?? i.Delete?.TableName ?? i.ConditionCheck?.TableName)
            .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
        _ => null,
    } is { } names && names.All(n => !string.IsNullOrEmpty(n)) ? names : null;

    /// <summary>
    /// The table a PartiQL statement names: the quoted identifier after UPDATE, INSERT INTO, DELETE FROM or FROM (the
    /// project quotes every name and passes every value as a parameter, so the statement holds no value to leak).
    /// </summary>
    internal static string? StatementTable(string? statement) =>
        statement is null ? null : StatementTablePattern().Match(statement) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("^\\s*(?:UPDATE|INSERT\\s+INTO|DELETE\\s+FROM|SELECT\\s.+?\\sFROM)\\s+\"([^\"]+)\"", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex StatementTablePattern();

    /// <summary>Span names: <c>DynamoDB.Query</c> and its siblings, made once (a span name is built on every call otherwise).</summary>
    private static class SpanNames
    {
        public const string Service = "DynamoDB";

        private static readonly Dictionary<string, string> Names =
            DynamoDbTelemetry.Operations.ToDictionary(o => o, o => Service + "." + o, StringComparer.Ordinal);

        public static string Of(string operation) => Names.GetValueOrDefault(operation) ?? Service + ".Other";
    }

    /// <summary>Inside the retries: each attempt DynamoDB throttled.</summary>
    private sealed class AttemptHandler : PipelineHandler
    {
        public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            try
            {
                return await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
            }
            catch (AmazonServiceException e) when (IsThrottling(e))
            {
                var request = executionContext.RequestContext.OriginalRequest;
                DynamoDbTelemetry.Throttles.Add(
                    1,
                    new TagList { { DynamoDbTelemetry.OperationDimension, OperationOf(request) }, { DynamoDbTelemetry.IndexDimension, IndexOf(request) } });
                // And over the whole function: the series the alarm watches.
                DynamoDbTelemetry.Throttles.Add(1);
                throw;
            }
        }
    }

    internal static bool IsThrottling(AmazonServiceException e) =>
        e is ProvisionedThroughputExceededException or RequestLimitExceededException
        || e.ErrorCode is "ThrottlingException" or "ProvisionedThroughputExceededException" or "RequestLimitExceeded";

    /// <summary>INDEXES: the call's total and its split over the table and each index, on every call that can return it.</summary>
    private static void AskForConsumedCapacity(AmazonWebServiceRequest request)
    {
        var indexes = ReturnConsumedCapacity.INDEXES;
        switch (request)
        {
            case GetItemRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case PutItemRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case UpdateItemRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case DeleteItemRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case QueryRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case ScanRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case BatchGetItemRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case BatchWriteItemRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case BatchExecuteStatementRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case TransactGetItemsRequest r: r.ReturnConsumedCapacity ??= indexes; break;
            case TransactWriteItemsRequest r: r.ReturnConsumedCapacity ??= indexes; break;
        }
    }

    internal static string OperationOf(AmazonWebServiceRequest request) => request switch
    {
        GetItemRequest => "GetItem",
        PutItemRequest => "PutItem",
        UpdateItemRequest => "UpdateItem",
        DeleteItemRequest => "DeleteItem",
        QueryRequest => "Query",
        ScanRequest => "Scan",
        BatchGetItemRequest => "BatchGetItem",
        BatchWriteItemRequest => "BatchWriteItem",
        BatchExecuteStatementRequest => "BatchExecuteStatement",
        TransactGetItemsRequest => "TransactGetItems",
        TransactWriteItemsRequest => "TransactWriteItems",
        DescribeTableRequest => "DescribeTable",
        DescribeTimeToLiveRequest => "DescribeTimeToLive",
        _ => "Other",
    };

    /// <summary>The index of a Query or Scan when it is one of the table's, else "table" (a name outside the list is never a dimension).</summary>
    internal static string IndexOf(AmazonWebServiceRequest request) =>
        (request switch
        {
            QueryRequest r => r.IndexName,
            ScanRequest r => r.IndexName,
            _ => null,
        }) is { Length: > 0 } name && DynamoDbTelemetry.Indexes.Contains(name)
            ? name
            : DynamoDbTelemetry.TableIndexValue;

    private static readonly HashSet<string> ReadOperations = new(StringComparer.Ordinal) { "GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems" };

    /// <summary>Read and write units of the answer: DynamoDB's split where it gives one, else its total by the operation's kind.</summary>
    internal static (double Read, double Write) CapacityOf(string operation, AmazonWebServiceResponse response)
    {
        IEnumerable<ConsumedCapacity> consumed = response switch
        {
            GetItemResponse r => One(r.ConsumedCapacity),
            PutItemResponse r => One(r.ConsumedCapacity),
            UpdateItemResponse r => One(r.ConsumedCapacity),
            DeleteItemResponse r => One(r.ConsumedCapacity),
            QueryResponse r => One(r.ConsumedCapacity),
            ScanResponse r => One(r.ConsumedCapacity),
            BatchGetItemResponse r => r.ConsumedCapacity ?? [],
            BatchWriteItemResponse r => r.ConsumedCapacity ?? [],
            BatchExecuteStatementResponse r => r.ConsumedCapacity ?? [],
            TransactGetItemsResponse r => r.ConsumedCapacity ?? [],
            TransactWriteItemsResponse r => r.ConsumedCapacity ?? [],
            _ => [],
        };

        double read = 0, write = 0;
        var isRead = ReadOperations.Contains(operation);
        foreach (var c in consumed)
        {
            if (c.ReadCapacityUnits is > 0 || c.WriteCapacityUnits is > 0)
            {
                read += c.ReadCapacityUnits ?? 0;
                write += c.WriteCapacityUnits ?? 0;
            }
            else if (isRead)
            {
                read += c.CapacityUnits ?? 0;
            }
            else
            {
                write += c.CapacityUnits ?? 0;
            }
        }

        return (read, write);
    }

    private static IEnumerable<ConsumedCapacity> One(ConsumedCapacity? capacity) => capacity is null ? [] : [capacity];

    private static DynamoDbOperation Describe(
        AmazonWebServiceRequest request, AmazonWebServiceResponse? response, string operation, string index,
        double read, double write, int retries, TimeSpan elapsed, Exception? error)
    {
        var (keyCondition, filter, names) = request switch
        {
            QueryRequest r => (r.KeyConditionExpression, r.FilterExpression, r.ExpressionAttributeNames),
            ScanRequest r => (null, r.FilterExpression, r.ExpressionAttributeNames),
            UpdateItemRequest r => (null, r.ConditionExpression, r.ExpressionAttributeNames),
            PutItemRequest r => (null, r.ConditionExpression, r.ExpressionAttributeNames),
            DeleteItemRequest r => (null, r.ConditionExpression, r.ExpressionAttributeNames),
            _ => ((string?)null, (string?)null, (Dictionary<string, string>?)null),
        };
        var (keyShape, requestItems) = request switch
        {
            GetItemRequest r => (Shape(r.Key?.Keys), (int?)null),
            PutItemRequest r => (Shape(r.Item?.Keys.Where(IsKeyName)), null),
            UpdateItemRequest r => (Shape(r.Key?.Keys), null),
            DeleteItemRequest r => (Shape(r.Key?.Keys), null),
            BatchGetItemRequest r => (Shape(r.RequestItems?.Values.FirstOrDefault()?.Keys?.FirstOrDefault()?.Keys), r.RequestItems?.Values.Sum(v => v.Keys?.Count ?? 0)),
            BatchWriteItemRequest r => ((string?)null, r.RequestItems?.Values.Sum(v => v.Count)),
            BatchExecuteStatementRequest r => (null, r.Statements?.Count),
            TransactWriteItemsRequest r => (null, r.TransactItems?.Count),
            TransactGetItemsRequest r => (null, r.TransactItems?.Count),
            _ => (null, null),
        };
        var (returned, scanned) = response switch
        {
            QueryResponse r => (r.Count, r.ScannedCount),
            ScanResponse r => (r.Count, r.ScannedCount),
            GetItemResponse r => (r.Item is { Count: > 0 } ? 1 : 0, (int?)null),
            BatchGetItemResponse r => (r.Responses?.Values.Sum(v => v.Count), null),
            _ => ((int?)null, (int?)null),
        };

        return new DynamoDbOperation
        {
            Operation = operation,
            Index = index,
            KeyCondition = Resolve(keyCondition, names),
            Filter = Resolve(filter, names),
            KeyShape = keyShape,
            RequestItems = requestItems,
            ItemsReturned = returned,
            ItemsScanned = scanned,
            ReadCapacity = read,
            WriteCapacity = write,
            Retries = retries,
            Duration = elapsed,
            Error = error?.GetType().Name,
        };
    }

    private static bool IsKeyName(string name) => name is Attr.PK or Attr.SK;

    private static string? Shape(IEnumerable<string>? names) =>
        names is null ? null : string.Join(",", names.Order(StringComparer.Ordinal));

    /// <summary>
    /// The expression with each <c>#name</c> placeholder replaced by the attribute's name; <c>:value</c> placeholders
    /// stay as they are. An expression can hold nothing else (DynamoDB refuses literal values), so no value is written.
    /// </summary>
    internal static string? Resolve(string? expression, IReadOnlyDictionary<string, string>? names)
    {
        if (string.IsNullOrEmpty(expression))
        {
            return null;
        }

        return names is null or { Count: 0 }
            ? expression
            : NamePlaceholder().Replace(expression, m => names.TryGetValue(m.Value, out var name) ? name : m.Value);
    }

    [GeneratedRegex("#[A-Za-z0-9_]+")]
    private static partial Regex NamePlaceholder();
}
