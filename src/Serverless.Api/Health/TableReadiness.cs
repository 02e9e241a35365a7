using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;

namespace Serverless.Api.Health;

/// <summary>
/// The table's state for <c>GET /health/ready</c>: DescribeTable and DescribeTimeToLive, kept for
/// <see cref="CacheFor"/> so a probe every few seconds costs two control-plane calls per period and instance, not per
/// request (both calls are rate-limited by DynamoDB and not billed per call, but throttled at a few per second).
/// Concurrent probes share one refresh. The item counts and sizes are DynamoDB's own, refreshed by it about every six
/// hours: `stats` counts exactly, with a Scan.
/// </summary>
public sealed class TableReadiness(IAmazonDynamoDB client, TableOptions options, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private Task<ReadinessResponse>? _pending;
    private ReadinessResponse? _last;
    private DateTimeOffset _lastAt;

    public Task<ReadinessResponse> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is not null && time.GetUtcNow() - _lastAt < CacheFor)
            {
                return Task.FromResult(_last);
            }

            // One refresh at a time, not cancelled by the first caller going away (the others wait on it too).
            _pending ??= Task.Run(RefreshAsync, CancellationToken.None);
            return _pending.WaitAsync(cancellationToken);
        }
    }

    private async Task<ReadinessResponse> RefreshAsync()
    {
        try
        {
            var response = await DescribeAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _last = response;
                _lastAt = time.GetUtcNow();
            }

            return response;
        }
        finally
        {
            lock (_gate)
            {
                _pending = null;
            }
        }
    }

    private async Task<ReadinessResponse> DescribeAsync(CancellationToken ct)
    {
        var describeTable = client.DescribeTableAsync(new DescribeTableRequest { TableName = options.TableName }, ct);
        var describeTtl = client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = options.TableName }, ct);
        var table = (await describeTable.ConfigureAwait(false)).Table;
        var ttl = (await describeTtl.ConfigureAwait(false)).TimeToLiveDescription;

        var indexes = (table.GlobalSecondaryIndexes ?? [])
            .Select(i => new IndexReadiness(i.IndexName, i.IndexStatus?.Value ?? "UNKNOWN", i.ItemCount ?? 0, i.IndexSizeBytes ?? 0))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
        var status = table.TableStatus?.Value ?? "UNKNOWN";
        var ready = status == TableStatus.ACTIVE.Value && indexes.All(i => i.Status == IndexStatus.ACTIVE.Value);
        return new ReadinessResponse(
            ready ? "ready" : "not ready",
            new TableFigures(status, table.ItemCount ?? 0, table.TableSizeBytes ?? 0),
            indexes,
            new StreamReadiness(table.StreamSpecification?.StreamEnabled == true, table.StreamSpecification?.StreamViewType?.Value),
            new TimeToLiveReadiness(ttl?.TimeToLiveStatus?.Value ?? "UNKNOWN", ttl?.AttributeName),
            time.GetUtcNow(),
            "Item counts and sizes are DynamoDB's own, refreshed about every six hours; the stats command counts exactly.");
    }
}

/// <summary>What <c>GET /health/ready</c> answers (200 when the table and every index are ACTIVE, 503 otherwise).</summary>
public sealed record ReadinessResponse(
    string Status,
    TableFigures Table,
    IReadOnlyList<IndexReadiness> Indexes,
    StreamReadiness Stream,
    TimeToLiveReadiness TimeToLive,
    DateTimeOffset DescribedAt,
    string Note);

public sealed record TableFigures(string Status, long ItemCount, long SizeBytes);

public sealed record IndexReadiness(string Name, string Status, long ItemCount, long SizeBytes);

public sealed record StreamReadiness(bool Enabled, string? ViewType);

public sealed record TimeToLiveReadiness(string Status, string? Attribute);
