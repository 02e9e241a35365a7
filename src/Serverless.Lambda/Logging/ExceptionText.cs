using System.Text.RegularExpressions;

namespace Serverless.Lambda.Logging;

/// <summary>
/// An exception's message as a log line or an error report may carry it. This layer knows nothing of the data, so it
/// treats every message as text that may quote what the function was handling, and masks what can identify a person
/// or an item: item keys (<c>EMAIL#ann@example.com</c> becomes <c>EMAIL#&lt;redacted&gt;</c>; a typed prefix of
/// capitals, then <c>#</c>), email addresses, E.164 phone numbers and DynamoDB attribute values written as JSON
/// (<c>{"S":"Ann"}</c>). The rest (what failed, a setting's name, a handler's name) is kept, so a configuration
/// error still says what to fix. The layers that know the data describe their own errors without messages at all.
/// </summary>
public static partial class ExceptionText
{
    public const string Mask = "<redacted>";

    public static string Redact(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return "";
        }

        var text = ItemKey().Replace(message, "${prefix}" + Mask);
        text = AttributeValue().Replace(text, "${type}\"" + Mask + "\"");
        text = Email().Replace(text, Mask);
        return Phone().Replace(text, Mask);
    }

    // A key segment: a typed prefix (USER#, EMAIL#, CITY#...) and everything up to a delimiter, further segments included.
    [GeneratedRegex(@"(?<prefix>\b[A-Z][A-Z0-9_]*#)[^\s'""`,;()\[\]{}<>]*", RegexOptions.CultureInvariant)]
    private static partial Regex ItemKey();

    // {"S":"..."}, {"N":"..."}, {"SS":[...]} as the SDK and the service print attribute values.
    [GeneratedRegex(@"(?<type>""(?:S|N|B)""\s*:\s*)""(?:[^""\\]|\\.)*""", RegexOptions.CultureInvariant)]
    private static partial Regex AttributeValue();

    [GeneratedRegex(@"[^\s'""`,;:()\[\]{}<>=]+@[^\s'""`,;:()\[\]{}<>=]+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"\+[0-9]{7,15}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
