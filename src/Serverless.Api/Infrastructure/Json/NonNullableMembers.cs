using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Api.Infrastructure.Json;

/// <summary>
/// Refuses null for a settable member whose type is not nullable, on every read path. RespectNullableAnnotations
/// checks this when a body is deserialized from a buffer, but the streaming path minimal APIs use for request bodies
/// (DeserializeAsync over the request stream) skips the check for members assigned through their setter: a
/// POST /users with <c>"metadata": null</c> reached the handler with a null dictionary. Members filled through the
/// constructor path (<c>required</c>, <c>init</c>) are checked on both paths and need nothing here.
/// </summary>
internal static class NonNullableMembers
{
    public static void Guard(JsonTypeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Kind != JsonTypeInfoKind.Object || !info.Options.RespectNullableAnnotations)
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if (property.Set is { } set && !property.IsSetNullable)
            {
                property.Set = (target, value) =>
                {
                    if (value is null)
                    {
                        throw new JsonNullException(property.Name);
                    }

                    set(target, value);
                };
            }
        }
    }
}

/// <summary>
/// Null where the member's type does not allow it. System.Text.Json fills in the path, but on the streaming path it
/// can stop at the object holding the member, so the member's JSON name is kept too.
/// </summary>
public sealed class JsonNullException(string member) : JsonException("The member does not allow null values.")
{
    public string Member { get; } = member;
}
