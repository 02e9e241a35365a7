using Microsoft.Extensions.Logging;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Streams.Decoding;

namespace Serverless.Streams.Purge;

/// <summary>
/// The end of a soft-deleted user's retention: when DynamoDB's TTL removes the user item (a REMOVE whose
/// userIdentity is Service / dynamodb.amazonaws.com) and the removed image says status deleted, the data layer's
/// <see cref="UserPurge"/> deletes what hangs off the user, as the seed's ON DELETE CASCADE would. The purge is
/// idempotent, so a redelivered record finds nothing left and succeeds.
/// Any other removal of a user item (an operator's delete, a test's cleanup) is logged and left alone: only the
/// retention's end is a decision to erase the user's data.
/// </summary>
public sealed partial class PurgeFunction : IDynamoDBRecordHandler
{
    private readonly UserPurge _purge;
    private readonly ILogger _logger;

    public PurgeFunction(UserPurge purge, ILogger<PurgeFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(purge);
        ArgumentNullException.ThrowIfNull(logger);
        _purge = purge;
        _logger = logger;
    }

    public async ValueTask<RecordResult> HandleAsync(DynamoDBEventRecord record, CancellationToken cancellationToken)
    {
        var change = StreamRecordDecoder.Decode(record);
        if (StreamSkips.Unhandled(change) is { } skip)
        {
            return skip;
        }

        if (change.EntityType != EntityTypes.User || change.Kind != ChangeKind.Remove)
        {
            return RecordResult.Ignored($"a {change.EntityType} {change.Kind} is not a user's removal");
        }

        // Read without the user's key (this function has none): the id, the status and the marker's token are not PII.
        var old = change.OldItem
            ?? throw new StreamRecordDecodingException($"Record {change.EventId} removes a user but carries no old image (the stream must be NEW_AND_OLD_IMAGES).");
        var user = PurgeTarget.Of(old);
        if (!change.IsTimeToLiveDeletion)
        {
            LogNotTtl(change.EventId, user.Id);
            return RecordResult.Ignored("the user was removed by a caller, not by TTL");
        }

        if (user.Status != UserStatus.Deleted)
        {
            // TTL on a user that was not soft-deleted is not a retention that ended; erasing its orders would be a guess.
            LogNotSoftDeleted(change.EventId, user.Id, user.Status.ToString());
            return RecordResult.Ignored("TTL removed a user whose status was not deleted");
        }

        var report = await _purge.PurgeAsync(user.Id, user.MarkerToken, cancellationToken).ConfigureAwait(false);
        if (report.SkippedUserIsLive)
        {
            // The id holds a live user again (restored from a backup, say): the cascade must not touch it.
            LogUserLive(change.EventId, user.Id);
            return RecordResult.Ignored("the user item is live again");
        }

        LogPurged(change.EventId, user.Id, report.Orders, report.OrderItems, report.RoleLinks, report.NameWords + report.Cities,
            report.Comments, report.EmailMarkerDeleted);
        return RecordResult.Processed;
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "Record {EventId}: user {UserId} was removed by a caller, not by TTL; no purge on this path")]
    private partial void LogNotTtl(string eventId, Guid userId);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning,
        Message = "Record {EventId}: TTL removed user {UserId} with status {Status}, not deleted; no purge")]
    private partial void LogNotSoftDeleted(string eventId, Guid userId, string status);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning,
        Message = "Record {EventId}: user {UserId} is live again; purge skipped")]
    private partial void LogUserLive(string eventId, Guid userId);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information,
        Message = "Record {EventId}: purged user {UserId}: {Orders} order(s), {Lines} line(s), {RoleLinks} role link(s), " +
                  "{IndexItems} index item(s), {Comments} comment(s), email marker deleted {MarkerDeleted}")]
    private partial void LogPurged(string eventId, Guid userId, int orders, int lines, int roleLinks, int indexItems, int comments, bool markerDeleted);
}
