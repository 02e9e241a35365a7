using System.Net;
using Amazon.Runtime;

namespace Serverless.Data.Writing;

/// <summary>
/// The one backoff policy of the data layer, the stream functions and the API: exponential with full jitter (a delay
/// drawn uniformly below min(max, base * 2^retry)), so callers that were refused together do not come back together.
/// Each caller brings only its <see cref="RetryOptions"/> and what counts as worth another attempt. Written here rather
/// than taken from Polly.Core: its retry strategy added close to 1 MB to the Native AOT binary for these two loops.
/// </summary>
public static class Retries
{
    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    /// <param name="random">Source of jitter; a seeded one in tests.</param>
    public static TimeSpan FullJitter(int retry, RetryOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(retry - 1, 0, 30);
        var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }

    /// <summary>Retries a call that throws an exception <paramref name="retryWhen"/> accepts; the last one is rethrown.</summary>
    public static RetryPolicy OnException(RetryOptions options, Func<Exception, bool> retryWhen, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(retryWhen);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        return new RetryPolicy(options, retryWhen, timeProvider);
    }

    /// <summary>
    /// Retries a call that returns how much it left undone (DynamoDB left part of a batch unprocessed: throttling)
    /// until that is nothing; after the last attempt the count left is returned for the caller to judge. Exceptions
    /// are not retried here (the SDK has retried the transient ones already).
    /// </summary>
    public static UndoneRetryPolicy WhileLeftUndone(RetryOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        return new UndoneRetryPolicy(options, timeProvider);
    }

    /// <summary>The pause after attempt <paramref name="attempt"/> failed, on <paramref name="timeProvider"/>'s clock.</summary>
    internal static Task PauseAsync(int attempt, RetryOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var delay = FullJitter(attempt, options, Random.Shared);
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, timeProvider, cancellationToken);
    }

    /// <summary>
    /// Throttling and the service's transient errors: worth another attempt after a pause. The SDK retries these a few
    /// times itself; a caller rewriting many items in a burst (a stream function) needs more patience than that.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException => true,
        // On-demand tables and the control plane answer "ThrottlingException"; 503 is the service shedding load.
        AmazonServiceException service => service.ErrorCode is "ThrottlingException" or "Throttling"
            || service.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError,
        _ => false,
    };
}
