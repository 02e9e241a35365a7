using Amazon.DynamoDBv2.Model;
using Serverless.Data.Writing;
using Serverless.Domain;

namespace Serverless.Data.Tests.Writing;

/// <summary>The one backoff policy every retrying caller uses.</summary>
public sealed class RetriesTests
{
    private static readonly RetryOptions Fast = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(3) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Each_delay_is_drawn_below_a_ceiling_that_doubles_per_retry_up_to_the_maximum()
    {
        var options = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300) };
        var random = new Random(7);
        double[] ceilings = [50, 100, 200, 300, 300];
        for (var retry = 1; retry <= ceilings.Length; retry++)
        {
            var delays = Enumerable.Range(0, 2_000).Select(_ => Retries.FullJitter(retry, options, random).TotalMilliseconds).ToList();
            Assert.All(delays, d => Assert.InRange(d, 0, ceilings[retry - 1]));
            // Full jitter: spread over the whole range, not bunched near the ceiling.
            Assert.InRange(delays.Average(), ceilings[retry - 1] * 0.4, ceilings[retry - 1] * 0.6);
        }
    }

    [Fact]
    public async Task A_retried_exception_is_tried_max_attempts_times_and_the_last_one_is_thrown()
    {
        var calls = 0;
        var retry = Retries.OnException(Fast, Retries.IsTransient, TimeProvider.System);

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(async () => await retry.ExecuteAsync(
            _ =>
            {
                calls++;
                throw new ProvisionedThroughputExceededException("slow down");
            },
            Ct));

        Assert.Equal(Fast.MaxAttempts, calls);
    }

    [Fact]
    public async Task An_exception_that_is_not_worth_retrying_is_thrown_at_once()
    {
        var calls = 0;
        var retry = Retries.OnException(Fast, Retries.IsTransient, TimeProvider.System);

        await Assert.ThrowsAsync<ValidationException>(async () => await retry.ExecuteAsync(
            _ =>
            {
                calls++;
                throw new ValidationException([new FieldError("name", "is required.")]);
            },
            Ct));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Work_left_undone_is_retried_until_nothing_is_left_or_the_attempts_run_out()
    {
        var left = 2;
        var finished = await Retries.WhileLeftUndone(Fast, TimeProvider.System).ExecuteAsync(_ => ValueTask.FromResult(left--), Ct);
        Assert.Equal(0, finished);

        var calls = 0;
        var stuck = await Retries.WhileLeftUndone(Fast, TimeProvider.System).ExecuteAsync(_ => ValueTask.FromResult(++calls > 0 ? 5 : 0), Ct);
        Assert.Equal(5, stuck);
        Assert.Equal(Fast.MaxAttempts, calls);
    }
}
