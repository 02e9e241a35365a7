namespace Serverless.Testing.Tests;

public sealed class EventuallyTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(5);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_wait_that_runs_out_says_what_was_awaited_and_for_how_long()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => Eventually.WaitUntilAsync(() => false, "the order carries the new name", _ct, Short, Fast));

        Assert.Equal("Timed out after 0.1 s waiting until the order carries the new name.", error.Message);
    }

    [Fact]
    public async Task A_value_wait_that_runs_out_ends_with_the_detail_of_the_last_value_read()
    {
        var reads = 0;

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.UntilAsync(
            () => Task.FromResult(++reads), n => n < 0, "the count turned negative", _ct, Short, Fast, n => $"last count: {n}"));

        Assert.StartsWith("Timed out after 0.1 s waiting until the count turned negative.\nlast count: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"last count: {reads}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wait_returns_the_first_value_accepted_without_reading_again()
    {
        var reads = 0;

        var value = await Eventually.UntilAsync(() => Task.FromResult(++reads), n => n == 3, "the third read", _ct, interval: Fast);

        Assert.Equal((3, 3), (value, reads));
    }

    [Fact]
    public async Task A_condition_that_holds_at_once_is_checked_once()
    {
        var checks = 0;

        await Eventually.WaitUntilAsync(() => ++checks > 0, "it holds", _ct, TimeSpan.Zero);

        Assert.Equal(1, checks);
    }

    [Fact]
    public async Task A_failing_read_fails_the_wait_with_its_own_exception()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Eventually.WaitUntilAsync(() => Task.FromException<bool>(new InvalidOperationException("exited")), "ready", _ct));
    }
}
