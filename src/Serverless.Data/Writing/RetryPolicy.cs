namespace Serverless.Data.Writing;

/// <summary>
/// Retries a call that throws an exception worth another attempt, pausing <see cref="Retries.FullJitter"/> before each
/// retry; after the last attempt the exception is rethrown. Built by <see cref="Retries.OnException"/>.
/// </summary>
public sealed class RetryPolicy
{
    private readonly RetryOptions _options;
    private readonly Func<Exception, bool> _retryWhen;
    private readonly TimeProvider _timeProvider;

    internal RetryPolicy(RetryOptions options, Func<Exception, bool> retryWhen, TimeProvider timeProvider)
    {
        _options = options;
        _retryWhen = retryWhen;
        _timeProvider = timeProvider;
    }

    public async ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        await ExecuteAsync<bool>(
            async token =>
            {
                await call(token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested && _retryWhen(e))
            {
                await Retries.PauseAsync(attempt, _options, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>
/// Retries a call that returns how much it left undone until that is nothing, pausing <see cref="Retries.FullJitter"/>
/// before each retry; after the last attempt the count left is returned for the caller to judge. Exceptions are not
/// retried. Built by <see cref="Retries.WhileLeftUndone"/>.
/// </summary>
public sealed class UndoneRetryPolicy
{
    private readonly RetryOptions _options;
    private readonly TimeProvider _timeProvider;

    internal UndoneRetryPolicy(RetryOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
    }

    public async ValueTask<int> ExecuteAsync(Func<CancellationToken, ValueTask<int>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var attempt = 1; ; attempt++)
        {
            var left = await call(cancellationToken).ConfigureAwait(false);
            if (left <= 0 || attempt >= _options.MaxAttempts)
            {
                return left;
            }

            await Retries.PauseAsync(attempt, _options, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
