using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Serverless.Lambda.Logging;

/// <summary>
/// Property names (and the fixed values of metric documents) JSON-escaped and UTF-8 encoded once rather than on every
/// line: the log lines and the embedded metric format documents write the same few dozen names over and over, and
/// escaping and transcoding them was a fair part of what writing a line cost. Each instance escapes as its writer does.
/// Bounded: past <see cref="Capacity"/> distinct texts a name is encoded each time, as before.
/// </summary>
internal sealed class EncodedNames(JavaScriptEncoder? encoder)
{
    internal const int Capacity = 4096;

    /// <summary>For the JSON log lines (their writer's relaxed escaping).</summary>
    public static readonly EncodedNames Logs = new(JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    /// <summary>For the embedded metric format documents (the writer's default escaping).</summary>
    public static readonly EncodedNames Metrics = new(null);

    private readonly ConcurrentDictionary<string, JsonEncodedText> known = new(StringComparer.Ordinal);

    public JsonEncodedText Of(string text)
    {
        if (known.TryGetValue(text, out var encoded))
        {
            return encoded;
        }

        encoded = JsonEncodedText.Encode(text, encoder);
        if (known.Count < Capacity)
        {
            known.TryAdd(text, encoded);
        }

        return encoded;
    }
}
