using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Domain;

namespace Serverless.Data.Writing;

/// <summary>
/// Runs a TransactWriteItems and turns a cancellation into the domain error of the action whose condition
/// failed (DynamoDB reports a reason per action, in request order).
/// </summary>
public sealed class TransactionWriter(IAmazonDynamoDB client, TimeProvider timeProvider)
{
    /// <summary>DynamoDB's limit on actions per transaction.</summary>
    public const int MaxActions = 100;

    // TransactionConflict means another transaction held one of our items at that instant; the outcome of a
    // retry is a clean success or a real condition failure. Bounded so a hot item cannot stall a request.
    private const int MaxAttempts = 4;
    // CancellationReason codes, per action, as DynamoDB documents them.
    private const string ConditionalCheckFailed = "ConditionalCheckFailed";
    private const string TransactionConflict = "TransactionConflict";
    private const string NoFailure = "None";

    private static readonly TimeSpan BaseBackoff = TimeSpan.FromMilliseconds(20);

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

        var request = new TransactWriteItemsRequest
        {
            TransactItems = [.. actions.Select(a => a.Item)],
            // Makes the SDK's own retries after a lost response idempotent (for 10 minutes): a second delivery
            // must not fail its version conditions against our own first write.
            ClientRequestToken = Guid.NewGuid().ToString("N"),
        };

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.TransactWriteItemsAsync(request, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TransactionCanceledException ex)
            {
                var failure = Translate(actions, ex);
                if (failure is not null)
                {
                    throw failure;
                }

                if (!IsConflictOnly(ex) || attempt >= MaxAttempts)
                {
                    if (IsConflictOnly(ex))
                    {
                        throw new ConflictException("Another write to the same data was in progress; retry the request.");
                    }

                    throw;
                }

                // A new token: the retry is a new attempt, not a replay of the cancelled one.
                request.ClientRequestToken = Guid.NewGuid().ToString("N");
                var jitter = Random.Shared.Next(0, (int)BaseBackoff.TotalMilliseconds);
                var delay = TimeSpan.FromMilliseconds((BaseBackoff.TotalMilliseconds * (1 << attempt)) + jitter);
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
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
