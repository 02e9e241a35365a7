namespace Serverless.Local.EventSourceMapping;

public sealed record EventSourceMappingEmulatorOptions
{
    /// <summary>Pause after a GetRecords that returned nothing (Lambda polls a shard about four times a second).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the shard list is read again to find new (child) shards.</summary>
    public TimeSpan ShardDiscoveryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First pause before retrying a failed batch; doubled per retry up to <see cref="MaximumRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaximumRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause before trying again when the table, its stream or the endpoint is not there (yet).</summary>
    public TimeSpan UnavailableDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between a shard reader's tries after network failures in a row (each doubles the last).</summary>
    public TimeSpan MaximumUnavailableDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reported as awsRegion when a record has none, and used in the function ARN of on-failure records.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The account in function ARNs of on-failure records.</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>The TTL attribute, used to recognise the sweeper's deletions.</summary>
    public string TtlAttributeName { get; init; } = Ttl.TtlSweeperOptions.DefaultAttributeName;
}
