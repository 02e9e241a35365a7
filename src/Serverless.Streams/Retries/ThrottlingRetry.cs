using System.Net;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Serverless.Streams.Retries;

/// <summary>
/// Retries a DynamoDB call that was throttled or hit a transient server error. The SDK retries a few times itself;
/// a stream function rewriting hundreds of items in a burst needs more patience than that, and failing the record
/// would only replay the whole fan-out. Full jitter ("sleep random(0, min(cap, base * 2^n))") keeps the parallel
/// writers from retrying in lockstep.
/// </summary>
public sealed class ThrottlingRetry(RetryOptions options, TimeProvider timeProvider)
{
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e) && attempt < options.MaxAttempts)
            {
                await Task.Delay(DelayBefore(attempt + 1), timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The pause before <paramref name="attempt"/> (2 or more).</summary>
    internal TimeSpan DelayBefore(int attempt)
    {
        var exponent = Math.Min(attempt - 2, 20);
        var ceiling = Math.Min(options.BaseDelay.TotalMilliseconds * (1L << exponent), options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    public static bool IsTransient(Exception exception) => exception switch
    {
        ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException => true,
        // On-demand tables and the control plane answer "ThrottlingException"; 503 is the service shedding load.
        AmazonServiceException service => service.ErrorCode is "ThrottlingException" or "Throttling"
            || service.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError,
        _ => false,
    };
}
