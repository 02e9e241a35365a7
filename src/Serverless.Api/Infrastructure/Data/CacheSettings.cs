using Serverless.Data.Caching;

namespace Serverless.Api.Infrastructure.Data;

/// <summary>
/// The user cache (configuration section <c>Cache</c>; docs/caching.md). Off unless <see cref="Endpoint"/> is set
/// (<c>Cache__Endpoint</c>: the template sets it when its cache is on, <c>serve --cache</c> locally).
/// </summary>
public sealed class CacheSettings
{
    public const string Section = "Cache";

    private static readonly CacheOptions Defaults = new();

    public string? Endpoint { get; set; }

    public string KeyPrefix { get; set; } = Defaults.KeyPrefix;

    public TimeSpan UserTtl { get; set; } = Defaults.UserTtl;

    public TimeSpan EmailTtl { get; set; } = Defaults.EmailTtl;

    public TimeSpan ActivePageTtl { get; set; } = Defaults.ActivePageTtl;

    public TimeSpan NegativeTtl { get; set; } = Defaults.NegativeTtl;

    public TimeSpan TombstoneTtl { get; set; } = Defaults.TombstoneTtl;

    public TimeSpan OperationTimeout { get; set; } = Defaults.OperationTimeout;

    public int FailuresToBreak { get; set; } = Defaults.FailuresToBreak;

    public TimeSpan BreakDuration { get; set; } = Defaults.BreakDuration;

    public double EarlyRefreshBeta { get; set; } = Defaults.EarlyRefreshBeta;

    /// <exception cref="InvalidOperationException">A setting is out of range (see <see cref="CacheOptions.Validate"/>).</exception>
    public CacheOptions ToOptions()
    {
        var options = new CacheOptions
        {
            Endpoint = string.IsNullOrWhiteSpace(Endpoint) ? null : Endpoint.Trim(),
            KeyPrefix = KeyPrefix ?? "",
            UserTtl = UserTtl,
            EmailTtl = EmailTtl,
            ActivePageTtl = ActivePageTtl,
            NegativeTtl = NegativeTtl,
            TombstoneTtl = TombstoneTtl,
            OperationTimeout = OperationTimeout,
            FailuresToBreak = FailuresToBreak,
            BreakDuration = BreakDuration,
            EarlyRefreshBeta = EarlyRefreshBeta,
        };
        options.Validate();
        return options;
    }
}
