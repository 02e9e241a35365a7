namespace Serverless.Data.Caching;

/// <summary>
/// The user cache's settings (configuration section <c>Cache</c>; docs/caching.md). The cache is off unless
/// <see cref="Endpoint"/> names a Redis (or Valkey) server; the TTLs are the seed's.
/// </summary>
public sealed record CacheOptions
{
    /// <summary>The variable that turns the cache on for a function (<c>Cache:Endpoint</c> in the API's configuration).</summary>
    public const string EndpointVariable = "Cache__Endpoint";

    /// <summary>The variable of <see cref="KeyPrefix"/>.</summary>
    public const string KeyPrefixVariable = "Cache__KeyPrefix";

    /// <summary>A StackExchange.Redis configuration string (<c>host:port</c>, and <c>,ssl=true</c> for ElastiCache); empty: no cache.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Put before every key (one Redis shared by several tables or test classes); empty by default.</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary><c>user:{userId}</c>: the seed's 3600 s.</summary>
    public TimeSpan UserTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>user:email:{email's blind index}</c>: the seed's 3600 s.</summary>
    public TimeSpan EmailTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>users:active:page:{page}</c>: the seed's 300 s.</summary>
    public TimeSpan ActivePageTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long "no such user / email" is remembered.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a write's tombstone keeps older versions out. A load that takes longer than half of it installs nothing,
    /// so no read that started before a write can put its older copy back after the tombstone is gone.
    /// </summary>
    public TimeSpan TombstoneTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The most one cache call may take before the read goes to the table instead (tens of milliseconds).</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Failed cache calls in a row that open the circuit (no cache call for <see cref="BreakDuration"/>).</summary>
    public int FailuresToBreak { get; init; } = 5;

    /// <summary>How long an open circuit waits before one call tries the cache again.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The early refresh's eagerness (β of "optimal probabilistic cache stampede prevention"): a hit refreshes its entry
    /// in the background with a probability that grows as the entry nears its expiry, faster for entries that took
    /// longer to load; 0 turns it off.
    /// </summary>
    public double EarlyRefreshBeta { get; init; } = 1.0;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Endpoint);

    /// <exception cref="InvalidOperationException">A setting is out of its range (named in the message).</exception>
    public void Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"Cache:{name} must be positive.");
            }
        }

        Positive(UserTtl, nameof(UserTtl));
        Positive(EmailTtl, nameof(EmailTtl));
        Positive(ActivePageTtl, nameof(ActivePageTtl));
        Positive(NegativeTtl, nameof(NegativeTtl));
        Positive(TombstoneTtl, nameof(TombstoneTtl));
        Positive(OperationTimeout, nameof(OperationTimeout));
        Positive(BreakDuration, nameof(BreakDuration));
        if (FailuresToBreak < 1)
        {
            throw new InvalidOperationException("Cache:FailuresToBreak must be at least 1.");
        }

        if (EarlyRefreshBeta is < 0 or > 10 || double.IsNaN(EarlyRefreshBeta))
        {
            throw new InvalidOperationException("Cache:EarlyRefreshBeta must be between 0 and 10.");
        }

        if (KeyPrefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            throw new InvalidOperationException("Cache:KeyPrefix may not hold spaces or braces.");
        }
    }
}
