
namespace Serverless.Data.Writing;

/// <summary>
/// Runs a TransactWriteItems and turns a cancellation into the domain error of the action whose condition
/// failed (DynamoDB reports a reason per action, in request order).
/// </summary>
public sealed class TransactionWriter
{
    /// <summary>DynamoDB's limit on actions per transaction.</summary>
    public const int MaxActions = 100;

    // CancellationReason codes, per action, as DynamoDB documents them.
    private const string ConditionalCheckFailed = "ConditionalCheckFailed";
    private const string TransactionConflict = "TransactionConflict";
    private const string NoFailure = "None";

    // TransactionConflict means another transaction held one of our items at that instant; the outcome of a
    // retry is a clean success or a real condition failure. Bounded so a hot item cannot stall a request.
    private static readonly RetryOptions ConflictRetry = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(40), MaxDelay = TimeSpan.FromMilliseconds(400) };

    private readonly IAmazonDynamoDB _client;
    private readonly RetryPolicy _onConflict;

    public TransactionWriter(IAmazonDynamoDB client, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _onConflict = Retries.OnException(ConflictRetry, e => e is TransactionCanceledException cancelled && IsConflictOnly(cancelled), timeProvider);
    }

    public async Task WriteAsync(IReadOnlyList<WriteAction> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxActions)
        {
            throw new InvalidOperationException($"A transaction needs 1 to {MaxActions} actions; got {actions.Count}.");
        }

        foreach (var action in actions)
        {
            if (action.PutItem is { } item)
            {
                ItemSize.EnsureWithinLimit(item);
            }
        }

        var request = new TransactWriteItemsRequest { TransactItems = [.. actions.Select(a => a.Item)] };
        try
        {
            await _onConflict.ExecuteAsync(
                async token =>
                {
                    // Makes the SDK's own retries after a lost response idempotent (for 10 minutes): a second delivery
                    // must not fail its version conditions against our own first write. A new token for each of our
                    // attempts: a retry after a conflict is a new attempt, not a replay of the cancelled one.
                    request.ClientRequestToken = Guid.NewGuid().ToString("N");
                    await _client.TransactWriteItemsAsync(request, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionCanceledException ex)
        {
            if (Translate(actions, ex) is { } failure)
            {
                throw failure;
            }

            if (IsConflictOnly(ex))
            {
                throw new ConflictException("Another write to the same data was in progress; retry the request.");
            }

            throw;
        }
    }

    /// <summary>The error of the first action whose condition failed, or null when no condition failed.</summary>
    private static DomainException? Translate(IReadOnlyList<WriteAction> actions, TransactionCanceledException ex)
    {
        var reasons = ex.CancellationReasons ?? [];
        for (var i = 0; i < reasons.Count && i < actions.Count; i++)
        {
            if (reasons[i].Code == ConditionalCheckFailed)
            {
                var stored = reasons[i].Item is { Count: > 0 } item ? item : null;
                return actions[i].OnConditionFailed?.Invoke(stored)
                    ?? new ConflictException("The data changed while it was being written; nothing was written.");
            }
        }

        return null;
    }

    private static bool IsConflictOnly(TransactionCanceledException ex) =>
        ex.CancellationReasons is { Count: > 0 } reasons
        && reasons.Any(r => r.Code == TransactionConflict)
        && reasons.All(r => r.Code is null || r.Code == NoFailure || r.Code == TransactionConflict);
}
