using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Json;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// Turns System.Text.Json's errors into (field, message) pairs a client can act on: the field as a path in the
/// same form the domain rules use (<c>addresses[0].type</c>), the message without .NET type names.
/// </summary>
internal static partial class JsonErrors
{
    /// <summary>The field name used when the error is about the body as a whole.</summary>
    public const string Body = "$";

    public static IReadOnlyList<(string Field, string Message)> Describe(JsonException exception)
    {
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
            var name = unknown.Groups["name"].Value;
            var full = field.EndsWith(name, StringComparison.Ordinal) ? field : (field == Body ? name : field + "." + name);
            return [(full, "is not a known field.")];
        }

        if (message.Contains("doesn't allow setting null values", StringComparison.Ordinal)
            || message.Contains("does not allow null values", StringComparison.Ordinal))
        {
            return [(field, "must not be null.")];
        }

        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return [(field, "appears more than once.")];
        }

        if (ConvertTo().Match(message) is { Success: true } convert)
        {
            return [(field, $"must be {Expected(convert.Groups["type"].Value)}.")];
        }

        // The reader's own errors (malformed JSON) are already worded for people; drop the position suffix.
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        var reason = end > 0 ? message[..end] : message;
        return [(field, "is not valid JSON: " + reason)];
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

    private static string Expected(string dotnetType) => dotnetType switch
    {
        "System.String" => "a string",
        "System.Boolean" => "true or false",
        "System.Guid" => "a UUID",
        "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 date-time",
        "System.Decimal" or "System.Double" or "System.Single" => "a number",
        "System.Int32" or "System.Int64" or "System.Int16" or "System.Byte" => "a whole number in range",
        _ when dotnetType.StartsWith("System.Collections.Generic.IReadOnlyDictionary", StringComparison.Ordinal)
            || dotnetType.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "an object of string values",
        _ when dotnetType.StartsWith("System.Collections.Generic.", StringComparison.Ordinal) => "an array",
        _ when dotnetType.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ => "an object",
    };

    [GeneratedRegex("missing required properties including: (?<names>.*)", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex("'(?<name>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedName();

    [GeneratedRegex("The JSON property '(?<name>[^']+)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownProperty();

    [GeneratedRegex(@"could not be converted to (?<type>[^\s]+?)\.? Path", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertTo();
}
