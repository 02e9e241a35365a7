using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace Serverless.Lambda.Metrics;

/// <summary>
/// A document the writer has written once, kept with the places of its values: the next document of the same shape
/// (the same directives, dimension values, metric names, units and resolutions, one value a metric, the same
/// properties) is the same bytes but for its timestamp, its metric values and its property values, so it is written by
/// copying the bytes between those places and formatting only the values. An invocation of a route writes the same
/// shape every time, and the JSON writer's work on the directives was most of what a flush cost.
/// <para>
/// Only documents whose every metric has one value and whose property values need no escaping are kept; anything else
/// is written whole every time. The output is byte for byte what the writer would write (EmfDocumentTests).
/// </para>
/// </summary>
internal sealed class EmfDocumentTemplate
{
    private readonly string metricNamespace;
    private readonly string[] propertyNames;
    private readonly KeyValuePair<string, string>[][] dimensions;
    private readonly (string Name, string Unit, int Resolution)[][] metrics;
    private readonly byte[] bytes;
    private readonly (int Start, int End)[] holes;
    private readonly (int Part, int Metric)[] values;
    private readonly int[] propertyValues;

    private EmfDocumentTemplate(
        EmfDocumentPlan.Document document, string metricNamespace, IReadOnlyList<KeyValuePair<string, string>>? properties, ReadOnlySpan<byte> line,
        List<(int Start, int End)> holes)
    {
        this.metricNamespace = metricNamespace;
        propertyNames = properties is null ? [] : [.. properties.Select(p => p.Key)];
        dimensions = [.. document.Parts.Select(p => p.Group.Dimensions.ToArray())];
        metrics = [.. document.Parts.Select(p => p.Metrics.Select(m => (m.Name, m.Unit, m.StorageResolution)).ToArray())];
        bytes = line.ToArray();
        this.holes = [.. holes];

        // The values in the order the writer wrote them: each metric once (a member two directives name is the first's),
        // then the properties no directive names.
        var sources = new List<(int, int)>();
        for (var p = 0; p < document.Parts.Count; p++)
        {
            for (var m = 0; m < document.Parts[p].Metrics.Count; m++)
            {
                if (!document.HasMetricBefore(p, document.Parts[p].Metrics[m].Name))
                {
                    sources.Add((p, m));
                }
            }
        }

        values = [.. sources];
        propertyValues = [.. Enumerable.Range(0, propertyNames.Length).Where(i => propertyNames[i] != EmfDocumentWriter.MetadataMember && !document.Names(propertyNames[i]))];
        if (this.holes.Length != 1 + values.Length + propertyValues.Length)
        {
            throw new InvalidOperationException($"A document template has {this.holes.Length} places for {1 + values.Length + propertyValues.Length} values.");
        }
    }

    /// <summary>Whether a document of this shape can be kept: every metric one value, every property value plain.</summary>
    public static bool CanHold(EmfDocumentPlan.Document document, IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        foreach (var part in document.Parts)
        {
            if (part.Round != 0)
            {
                return false;
            }

            foreach (var metric in part.Metrics)
            {
                if (metric.Values.Count != 1)
                {
                    return false;
                }
            }
        }

        return PlainProperties(properties);
    }

    public static EmfDocumentTemplate Create(
        EmfDocumentPlan.Document document, string metricNamespace, IReadOnlyList<KeyValuePair<string, string>>? properties, ReadOnlySpan<byte> line,
        List<(int Start, int End)> holes) =>
        new(document, metricNamespace, properties, line, holes);

    /// <summary>Whether <paramref name="document"/> is this template's shape (its values aside).</summary>
    public bool Matches(EmfDocumentPlan.Document document, string metricNamespace, IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        if (document.Parts.Count != dimensions.Length || (properties?.Count ?? 0) != propertyNames.Length
            || !string.Equals(metricNamespace, this.metricNamespace, StringComparison.Ordinal))
        {
            return false;
        }

        for (var p = 0; p < dimensions.Length; p++)
        {
            var part = document.Parts[p];
            var dims = part.Group.Dimensions;
            if (part.Round != 0 || dims.Count != dimensions[p].Length || part.Metrics.Count != metrics[p].Length)
            {
                return false;
            }

            for (var d = 0; d < dims.Count; d++)
            {
                if (!string.Equals(dims[d].Key, dimensions[p][d].Key, StringComparison.Ordinal)
                    || !string.Equals(dims[d].Value, dimensions[p][d].Value, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            for (var m = 0; m < metrics[p].Length; m++)
            {
                var metric = part.Metrics[m];
                var (name, unit, resolution) = metrics[p][m];
                if (metric.Values.Count != 1 || metric.StorageResolution != resolution
                    || !string.Equals(metric.Name, name, StringComparison.Ordinal) || !string.Equals(metric.Unit, unit, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        for (var i = 0; i < propertyNames.Length; i++)
        {
            if (!string.Equals(properties![i].Key, propertyNames[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return PlainProperties(properties);
    }

    /// <summary>The document, newline included, into <paramref name="buffer"/>: the kept bytes with this document's values in their places.</summary>
    public void Write(
        ArrayBufferWriter<byte> buffer, EmfDocumentPlan.Document document, DateTimeOffset timestamp, IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        var from = 0;
        for (var h = 0; h < holes.Length; h++)
        {
            var (start, end) = holes[h];
            buffer.Write(bytes.AsSpan(from, start - from));
            if (h == 0)
            {
                WriteLong(buffer, timestamp.ToUnixTimeMilliseconds());
            }
            else if (h <= values.Length)
            {
                var (part, metric) = values[h - 1];
                WriteNumber(buffer, document.Parts[part].Metrics[metric].Values[0]);
            }
            else
            {
                WritePlainString(buffer, properties![propertyValues[h - 1 - values.Length]].Value);
            }

            from = end;
        }

        buffer.Write(bytes.AsSpan(from));
    }

    /// <summary>As <see cref="EmfDocumentWriter"/> writes a metric value: a whole number as an integer, else the shortest form that reads back the same.</summary>
    private static void WriteNumber(ArrayBufferWriter<byte> buffer, double value)
    {
        if (EmfDocumentWriter.IsWholeNumber(value))
        {
            WriteLong(buffer, (long)value);
            return;
        }

        var span = buffer.GetSpan(32);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A metric value did not fit its buffer.");
        }

        buffer.Advance(written);
    }

    private static void WriteLong(ArrayBufferWriter<byte> buffer, long value)
    {
        var span = buffer.GetSpan(20);
        if (!Utf8Formatter.TryFormat(value, span, out var written))
        {
            throw new InvalidOperationException("A number did not fit its buffer.");
        }

        buffer.Advance(written);
    }

    private static void WritePlainString(ArrayBufferWriter<byte> buffer, string value)
    {
        var span = buffer.GetSpan(value.Length + 2);
        span[0] = (byte)'"';
        for (var i = 0; i < value.Length; i++)
        {
            span[i + 1] = (byte)value[i];
        }

        span[value.Length + 1] = (byte)'"';
        buffer.Advance(value.Length + 2);
    }

    // What the writer's default escaping leaves as it is, kept small: a request id is letters, digits and a few marks.
    private static readonly SearchValues<char> Plain =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/");

    private static bool PlainProperties(IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        if (properties is null)
        {
            return true;
        }

        for (var i = 0; i < properties.Count; i++)
        {
            if (properties[i].Value is not { } value || value.AsSpan().ContainsAnyExcept(Plain))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The templates a thread's flushes have kept, newest replacing the oldest past <see cref="Capacity"/>.</summary>
internal sealed class EmfDocumentTemplates
{
    /// <summary>Shapes kept per thread: a function writes a handful (its routes and status classes, its operations).</summary>
    public const int Capacity = 32;

    private readonly List<EmfDocumentTemplate> kept = [];
    private int next;

    public int Count => kept.Count;

    public EmfDocumentTemplate? Find(EmfDocumentPlan.Document document, string metricNamespace, IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        foreach (var template in kept)
        {
            if (template.Matches(document, metricNamespace, properties))
            {
                return template;
            }
        }

        return null;
    }

    public void Add(EmfDocumentTemplate template)
    {
        if (kept.Count < Capacity)
        {
            kept.Add(template);
            return;
        }

        kept[next] = template;
        next = (next + 1) % Capacity;
    }
}
