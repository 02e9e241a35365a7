using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// Base of PATCH bodies (JSON merge patch, RFC 7396): remembers which members the client sent, because
/// "absent" (leave unchanged) and "null" (clear) deserialize to the same value.
/// </summary>
public abstract class PatchRequest
{
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);

    /// <summary>True when the body carried the member (by its C# property name), even as null.</summary>
    public bool Has(string property) => _present.Contains(property);

    [JsonIgnore]
    public bool IsEmpty => _present.Count == 0;

    /// <summary>
    /// Called from each member's set accessor, which the deserializer runs only for members in the body (not init
    /// accessors: the source-generated deserializer assigns every init member, present or not).
    /// </summary>
    protected T Present<T>(T value, [CallerMemberName] string property = "")
    {
        _present.Add(property);
        return value;
    }
}
