namespace Serverless.Domain;

/// <summary>Base of the errors the domain and data layers raise on purpose; hosts map them to responses.</summary>
public abstract class DomainException(string message) : Exception(message);

public sealed record FieldError(string Field, string Message);

/// <summary>Input breaks a rule of the model; nothing was written.</summary>
public sealed class ValidationException(IReadOnlyList<FieldError> errors)
    : DomainException("Validation failed: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;

    /// <summary>Throws when a rule check found anything (each entity's <c>EnsureValid</c> is its <c>Validate</c> through this).</summary>
    public static void ThrowIfAny(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }
}

/// <summary>The thing asked for does not exist (or has expired).</summary>
public sealed class NotFoundException(string entity, string id) : DomainException($"{entity} '{id}' was not found.")
{
    public string Entity { get; } = entity;

    public string Id { get; } = id;
}

/// <summary>A uniqueness rule would break (e.g. an email already taken); nothing was written.</summary>
public sealed class ConflictException(string message, string? field = null) : DomainException(message)
{
    public string? Field { get; } = field;
}

/// <summary>The caller's expected version is not the stored one; nothing was written.</summary>
public sealed class ConcurrencyException(string entity, string id, long expectedVersion)
    : DomainException($"{entity} '{id}' is not at version {expectedVersion}; it was changed by someone else.")
{
    public string Entity { get; } = entity;

    public string Id { get; } = id;

    public long ExpectedVersion { get; } = expectedVersion;
}

/// <summary>A pagination cursor was altered, forged or belongs to another query.</summary>
public sealed class InvalidCursorException(string message) : DomainException(message);
