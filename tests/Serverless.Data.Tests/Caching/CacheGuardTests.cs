using Serverless.Data.Caching;
using Serverless.Testing;

namespace Serverless.Data.Tests.Caching;

public sealed class CacheGuardTests
{
    private static readonly CacheOptions Options = new()
    {
        Endpoint = "unused", OperationTimeout = TimeSpan.FromMilliseconds(50), FailuresToBreak = 3, BreakDuration = TimeSpan.FromMilliseconds(300),
    };

    [Fact]
    public async Task A_call_that_hangs_answers_unavailable_after_the_timeout()
    {
        var logs = new List<string>();
        var guard = new CacheGuard(Options, TimeProvider.System, logs.Add);

        var (ok, _) = await guard.TryAsync("user", () => new TaskCompletionSource<int>().Task);

        Assert.False(ok);
        Assert.Contains(logs, l => l.Contains("timed out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_in_a_row_open_the_circuit_which_calls_nothing_until_its_break_ends_and_a_success_closes_it()
    {
        var calls = 0;
        var failing = true;
        var logs = new List<string>();
        var guard = new CacheGuard(Options, TimeProvider.System, logs.Add);
        Task<int> Call()
        {
            calls++;
            return failing ? Task.FromException<int>(new InvalidOperationException("redis said no: key user:secret")) : Task.FromResult(7);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.False((await guard.TryAsync("user", Call)).Ok);
        }

        Assert.True(guard.IsOpen);
        Assert.False((await guard.TryAsync("user", Call)).Ok);
        Assert.Equal(3, calls);

        failing = false;
        await Eventually.WaitUntilAsync(async () => (await guard.TryAsync("user", Call)).Ok, "the half-open probe succeeds", TestContext.Current.CancellationToken);
        Assert.False(guard.IsOpen);
        Assert.Equal((true, 7), await guard.TryAsync("user", Call));
        // The error's type only: a Redis message may quote a key.
        Assert.DoesNotContain(logs, l => l.Contains("secret", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("InvalidOperationException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_probe_keeps_the_circuit_open_for_another_break()
    {
        var calls = 0;
        var guard = new CacheGuard(Options, TimeProvider.System);
        Task<int> Fail()
        {
            calls++;
            return Task.FromException<int>(new TimeoutException());
        }

        for (var i = 0; i < 3; i++)
        {
            await guard.TryAsync("user", Fail);
        }

        await Task.Delay(Options.BreakDuration + TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        Assert.False((await guard.TryAsync("user", Fail)).Ok);
        Assert.Equal(4, calls);
        Assert.False((await guard.TryAsync("user", Fail)).Ok);
        Assert.Equal(4, calls);
        Assert.True(guard.IsOpen);
    }
}
