namespace Serverless.Data.Writing;

/// <summary>The usual translations of a failed condition, shared by every repository.</summary>
public static class ConditionFailures
{
    /// <summary>Missing -> <see cref="NotFoundException"/>; present (so at another version) -> <see cref="ConcurrencyException"/>.</summary>
    public static ConditionFailureTranslator StaleOrMissing(string entity, string id, long expectedVersion) =>
        stored => stored is null || stored.Count == 0
            ? new NotFoundException(entity, id)
            : new ConcurrencyException(entity, id, expectedVersion);

    public static ConditionFailureTranslator Conflict(string message, string? field = null) =>
        _ => new ConflictException(message, field);

    public static ConditionFailureTranslator NotFound(string entity, string id) =>
        _ => new NotFoundException(entity, id);

    internal static bool IsEmpty(IReadOnlyDictionary<string, AttributeValue>? item) => item is null || item.Count == 0;
}
