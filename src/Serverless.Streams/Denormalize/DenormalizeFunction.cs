using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Data.Writing;
using Serverless.Domain.Users;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Streams.Decoding;

namespace Serverless.Streams.Denormalize;

/// <summary>
/// The seed's sync_user_info trigger: when a user's email or name changes, every order of the user gets the new
/// user_email and user_name. Each order update is guarded by the user's version (the order keeps the version its
/// copy came from), so a replayed or late record changes nothing and records may arrive in any order. The updates go
/// as PartiQL UPDATEs, 25 a BatchExecuteStatement call, each with its own guard and its own answer.
/// </summary>
public sealed partial class DenormalizeFunction : IDynamoDBRecordHandler
{
    private readonly OrderRepository _orders;
    private readonly DenormalizeOptions _options;
    private readonly RetryPolicy _retry;
    private readonly ILogger _logger;

    public DenormalizeFunction(OrderRepository orders, DenormalizeOptions options, TimeProvider timeProvider, ILogger<DenormalizeFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.MaxParallelWrites < 1 || options.PageSize < 1)
        {
            throw new ArgumentException("MaxParallelWrites and PageSize must be positive.", nameof(options));
        }

        _orders = orders;
        _options = options;
        _retry = Retries.OnException(options.Retry, Retries.IsTransient, timeProvider);
        _logger = logger;
    }

    public async ValueTask<RecordResult> HandleAsync(DynamoDBEventRecord record, CancellationToken cancellationToken)
    {
        var change = StreamRecordDecoder.Decode(record);
        if (StreamSkips.Unhandled(change) is { } skip)
        {
            return skip;
        }

        if (change.EntityType != EntityTypes.User)
        {
            return RecordResult.Ignored($"{change.EntityType} changes are not denormalized");
        }

        if (change.Kind != ChangeKind.Modify)
        {
            // A new user has no orders yet; a removed one has its orders purged, not rewritten.
            return RecordResult.Ignored($"a user's {change.Kind} changes no order");
        }

        // The images hold the user's email and name as stored: ciphertext under the user's key, which this function
        // never has. The user's write keeps an unchanged field's ciphertext byte for byte, so equal bytes mean an
        // unchanged value, and the new ciphertext is copied onto the orders as it is.
        var before = change.OldItem!;
        var after = change.NewItem!;
        if (ItemContent.Equal(before.GetValueOrDefault(Attr.Email), after.GetValueOrDefault(Attr.Email))
            && ItemContent.Equal(before.GetValueOrDefault(Attr.Name), after.GetValueOrDefault(Attr.Name)))
        {
            return RecordResult.Ignored("email and name unchanged");
        }

        var user = new UserCopy(
            new ItemReader(after).Guid(Attr.Id),
            after.GetValueOrDefault(Attr.Email) ?? throw new StreamRecordDecodingException($"Record {change.EventId}: the user's new image has no email."),
            after.GetValueOrDefault(Attr.Name) ?? throw new StreamRecordDecodingException($"Record {change.EventId}: the user's new image has no name."),
            new ItemReader(after).Long(Attr.Version));
        var (orders, updated) = await CopyToOrdersAsync(user, cancellationToken).ConfigureAwait(false);
        LogDenormalized(change.EventId, user.Version, orders, updated);
        return RecordResult.Processed;
    }

    /// <summary>What an order copies of its user: the email and name as the user item stores them, and the version they are from.</summary>
    private sealed record UserCopy(Guid Id, AttributeValue Email, AttributeValue Name, long Version);

    /// <returns>How many orders the user has, and how many of them this call changed (the rest had this version or newer).</returns>
    private async Task<(int Orders, int Updated)> CopyToOrdersAsync(UserCopy user, CancellationToken cancellationToken)
    {
        int orders = 0, updated = 0;
        // Batches of up to 25 orders, MaxParallelWrites calls in flight: a worker that is free takes the next batch,
        // reading the next page of order ids when the last one is used up, so the writes of one page overlap the next.
        await Parallel.ForEachAsync(
            BatchesAsync(user.Id, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelWrites, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                var changed = await _orders.CopyUserToOrdersAsync(batch, user.Id, user.Email, user.Name, user.Version, Writers.Denormalize, _options.Retry, ct)
                    .ConfigureAwait(false);
                Interlocked.Add(ref orders, batch.Length);
                Interlocked.Add(ref updated, changed);
            }).ConfigureAwait(false);

        return (orders, updated);
    }

    /// <summary>The user's order ids, a page at a time, in batches of at most one BatchExecuteStatement call.</summary>
    private async IAsyncEnumerable<Guid[]> BatchesAsync(Guid userId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _retry.ExecuteAsync(
                async ct => await _orders.ListOrderIdsOfUserAsync(userId, new PageRequest(_options.PageSize, cursor), ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            foreach (var batch in page.Items.Chunk(StatementBatchWriter.MaxBatchSize))
            {
                yield return batch;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information,
        Message = "Record {EventId}: user version {UserVersion} copied to {Updated} of {Orders} order(s); the others already had it or newer")]
    private partial void LogDenormalized(string eventId, long userVersion, int orders, int updated);
}
