using Serverless.Lambda.Batch;
using Serverless.Streams.Decoding;

namespace Serverless.Streams;

/// <summary>What no stream function of ours handles: skipped, logged, never failed.</summary>
internal static class StreamSkips
{
    /// <returns>The skip for a record no function can act on, or null when the record is a change of a known item.</returns>
    public static RecordResult? Unhandled(StreamChange change)
    {
        if (change.Kind == ChangeKind.Unknown)
        {
            return RecordResult.Unrecognized($"eventName '{change.EventName}' is not INSERT, MODIFY or REMOVE");
        }

        if (change.EntityType is null)
        {
            return RecordResult.Unrecognized("neither image carries an entityType");
        }

        if (!change.IsKnownEntityType)
        {
            return RecordResult.Unrecognized($"entity type '{Truncate(change.EntityType)}' is not one of the table's");
        }

        return null;
    }

    // The entity type comes from the item; an unknown one is logged, so keep it short.
    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
