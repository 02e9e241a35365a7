using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Json;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// Turns System.Text.Json's errors into (field, message) pairs a client can act on: the field as a path in the
/// same form the domain rules use (<c>addresses[0].type</c>), the message without .NET type names.
/// </summary>
/// <remarks>
/// What a field must be is read from the body type's JSON metadata at the error's path, never from the exception's
/// message: for members the source-generated deserializer fills through its constructor path (<c>required</c> and
/// <c>init</c> members), the message names the type being built (<c>could not be converted to
/// Serverless.Api.Users.CreateUserRequest</c> for <c>"name": 123</c>), not the member's.
/// </remarks>
internal static partial class JsonErrors
{
    /// <summary>The field name used when the error is about the body as a whole.</summary>
    public const string Body = "$";

    /// <param name="exception">The deserializer's error.</param>
    /// <param name="body">The metadata of the type the body was read as, when known: it tells what each field must be.</param>
    public static IReadOnlyList<(string Field, string Message)> Describe(JsonException exception, JsonTypeInfo? body)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var field = FieldOf(exception.Path);
        var message = exception.Message;

        if (exception is JsonFieldException)
        {
            return [(field, message)];
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            // The path is the object; each missing member is its own field.
            var prefix = field == Body ? "" : field + ".";
            return [.. QuotedName().Matches(missing.Groups["names"].Value).Select(m => (prefix + m.Groups["name"].Value, "is required."))];
        }

        if (UnknownProperty().Match(message) is { Success: true } unknown)
        {
            // The path may stop at the object that holds the unknown member; name the member itself.
            return [(WithMember(field, unknown.Groups["name"].Value), "is not a known field.")];
        }

        if (exception is JsonNullException { Member: var member })
        {
            field = WithMember(field, member);
            var expectedHere = Expected(TypeAt(body, field == Body ? Body : "$." + field));
            return [(field, expectedHere is null ? "must not be null." : $"must not be null; send {expectedHere}.")];
        }

        var expected = Expected(TypeAt(body, exception.Path));
        if (NullNotAllowed().IsMatch(message))
        {
            return [(field, expected is null ? "must not be null." : $"must not be null; send {expected}.")];
        }

        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return [(field, "appears more than once.")];
        }

        if (exception.InnerException is InvalidOperationException { Message: var inner } && Utf16Error().IsMatch(inner))
        {
            // The reader refuses a \uD800-\uDFFF escape that is not half of a pair before any rule sees the string;
            // its message names the wrong code unit for some inputs, so none is named.
            return [(field, TextRule.UnpairedSurrogate + " (an escaped \\uD800 to \\uDFFF that is not half of a pair).")];
        }

        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return [(field, expected is null ? "does not have the type this field takes (see /openapi/v1.json)." : $"must be {expected}.")];
        }

        // The reader's own errors (malformed JSON) are already worded for people; drop the position suffix. Any other
        // error may name our types, and is then told in general terms.
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        var reason = end > 0 ? message[..end] : message;
        return NamesATypeOrMember().IsMatch(reason)
            ? [(field, "is not valid here (see /openapi/v1.json).")]
            : [(field, "is not valid JSON: " + reason)];
    }

    /// <summary>"$.addresses[0].type" → "addresses[0].type"; the root stays "$".</summary>
    public static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return Body;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    /// <summary>The path of a member named in an error whose path may stop at the object that holds it.</summary>
    private static string WithMember(string field, string member) =>
        field == member || field.EndsWith("." + member, StringComparison.Ordinal) ? field : (field == Body ? member : field + "." + member);

    /// <summary>The metadata of what the body holds at <paramref name="path"/> (<c>$.items[0].productId</c>), or null.</summary>
    internal static JsonTypeInfo? TypeAt(JsonTypeInfo? body, string? path)
    {
        var current = body;
        if (current is null || string.IsNullOrEmpty(path) || path[0] != '$')
        {
            return current;
        }

        foreach (Match segment in PathSegment().Matches(path, 1))
        {
            if (current is null)
            {
                return null;
            }

            var name = segment.Groups["name"].Success ? segment.Groups["name"].Value
                : segment.Groups["quoted"].Success ? segment.Groups["quoted"].Value
                : null;
            current = (current.Kind, name) switch
            {
                (JsonTypeInfoKind.Object, { } member) => current.Properties.FirstOrDefault(p => p.Name == member) is { } property
                    ? current.Options.GetTypeInfo(property.PropertyType)
                    : null,
                (JsonTypeInfoKind.Dictionary, { }) => current.Options.GetTypeInfo(current.ElementType!),
                (JsonTypeInfoKind.Enumerable, null) => current.Options.GetTypeInfo(current.ElementType!),
                _ => null,
            };
        }

        return current;
    }

    /// <summary>What a value of this type is on the wire, in the API's words: "a string", "one of: active, inactive".</summary>
    internal static string? Expected(JsonTypeInfo? info)
    {
        if (info is null)
        {
            return null;
        }

        if (info.Converter is INamedValuesConverter named)
        {
            return "one of: " + string.Join(", ", named.Names);
        }

        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (Nullable.GetUnderlyingType(info.Type) is not null)
        {
            return Expected(info.Options.GetTypeInfo(type));
        }

        return info.Kind switch
        {
            JsonTypeInfoKind.Dictionary => info.ElementType == typeof(string) ? "an object of string values" : "an object",
            JsonTypeInfoKind.Enumerable => info.ElementType is { } element && info.Options.GetTypeInfo(element).Kind == JsonTypeInfoKind.Object
                ? "an array of objects"
                : "an array",
            JsonTypeInfoKind.Object => "an object",
            _ => Scalar(type),
        };
    }

    /// <summary>What a value of a simple type is on the wire ("a UUID"), or null for any other type.</summary>
    internal static string? Scalar(Type type) => type switch
    {
        _ when type == typeof(string) => "a string",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(Guid) => "a UUID (such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301)",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "an ISO 8601 date-time (such as 2024-05-01T12:00:00Z)",
        _ when type == typeof(DateOnly) => "an ISO 8601 date (such as 2024-05-01)",
        _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number",
        _ when type == typeof(int) => WholeNumber(int.MinValue, int.MaxValue),
        _ when type == typeof(long) => WholeNumber(long.MinValue, long.MaxValue),
        _ when type == typeof(short) => WholeNumber(short.MinValue, short.MaxValue),
        _ when type == typeof(byte) => WholeNumber(byte.MinValue, byte.MaxValue),
        _ => null,
    };

    private static string WholeNumber(long min, long max) =>
        string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}");

    // "Cannot read invalid UTF-16 JSON text as string" and "Cannot read incomplete UTF-16 JSON text" (or their resource
    // keys, CannotReadInvalidUTF16 and CannotReadIncompleteUTF16, where resource strings are trimmed away).
    [GeneratedRegex(@"UTF-?16", RegexOptions.CultureInvariant)]
    private static partial Regex Utf16Error();

    [GeneratedRegex("missing required properties including: (?<names>.*)", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex("'(?<name>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedName();

    [GeneratedRegex("The JSON property '(?<name>[^']+)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownProperty();

    // "The property or field 'x' ... doesn't allow setting null values", "The constructor parameter 'X' ... doesn't
    // allow null values", and the older "does not allow null values".
    [GeneratedRegex(@"(?:doesn't|does not) allow (?:setting )?null values", RegexOptions.CultureInvariant)]
    private static partial Regex NullNotAllowed();

    // A JSON path after "$": .name, ['quoted name'] or [index].
    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex PathSegment();

    [GeneratedRegex(@"\b(?:System|Serverless|Microsoft)\.|on type '|\bparameter '", RegexOptions.CultureInvariant)]
    private static partial Regex NamesATypeOrMember();
}
