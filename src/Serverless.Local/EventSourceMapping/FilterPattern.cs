using System.Text.Json;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// One Lambda event filtering pattern, compiled once and applied to a record's JSON as the function would receive
/// it, so paths read like <c>dynamodb.NewImage.entityType.S</c>. The syntax and its meaning are AWS's event pattern
/// matcher's (aws/event-ruler) for the operators Lambda documents: exact strings, numbers, booleans and null;
/// <c>prefix</c> and <c>suffix</c> (also with <c>equals-ignore-case</c>); <c>equals-ignore-case</c>;
/// <c>anything-but</c> (a value, a list of strings or of numbers, or a prefix, suffix or equals-ignore-case of one
/// string or a list); <c>numeric</c> comparisons and ranges; <c>exists</c> (on leaves only: an object under the path
/// is no value, so <c>exists: false</c> matches it); <c>$or</c>. Fields of one object must all match (AND); the
/// matchers of one list are alternatives (OR); against an array in the record, one matching element is enough.
/// A pattern AWS would reject is rejected here when the template is loaded, with the reason; EventBridge's own
/// operators (<c>wildcard</c>, <c>cidr</c>) and dotted field names are refused as not Lambda's.
/// </summary>
public sealed class FilterPattern
{
    private readonly ObjectNode _root;

    private FilterPattern(string source, ObjectNode root)
    {
        Source = source;
        _root = root;
    }

    /// <summary>The pattern's JSON text as written in the template.</summary>
    public string Source { get; }

    public static FilterPattern Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FilterPatternException($"The filter pattern is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FilterPatternException("A filter pattern must be a JSON object.");
            }

            return new FilterPattern(json, ParseObject(doc.RootElement, "$"));
        }
    }

    public bool Matches(JsonElement record) => _root.Matches(record);

    /// <summary>True when any of <paramref name="patterns"/> matches (Lambda ORs the filters of one mapping); no patterns lets everything through.</summary>
    public static bool AnyMatches(IReadOnlyList<FilterPattern> patterns, JsonElement record)
    {
        if (patterns.Count == 0)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (pattern.Matches(record))
            {
                return true;
            }
        }

        return false;
    }

    private static ObjectNode ParseObject(JsonElement element, string path)
    {
        var fields = new List<(string Name, Node Node)>();
        var ors = new List<IReadOnlyList<ObjectNode>>();
        foreach (var property in element.EnumerateObject())
        {
            var childPath = path + "." + property.Name;
            if (property.Name == "$or")
            {
                if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() < 2)
                {
                    throw new FilterPatternException($"{childPath}: $or takes an array of at least two patterns.");
                }

                ors.Add(property.Value.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Object
                    ? ParseObject(e, $"{childPath}[{i}]")
                    : throw new FilterPatternException($"{childPath}[{i}]: each $or alternative must be an object.")).ToList());
                continue;
            }

            if (property.Name.Contains('.', StringComparison.Ordinal))
            {
                throw new FilterPatternException(
                    $"{childPath}: a field name with a dot is EventBridge's shorthand for nesting, which Lambda's filters do not document; nest the fields instead.");
            }

            if (property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() == 0)
            {
                throw new FilterPatternException($"{childPath}: an empty list of matchers is not allowed (AWS rejects it); use [null] to match null.");
            }

            Node node = property.Value.ValueKind switch
            {
                JsonValueKind.Object => ParseObject(property.Value, childPath),
                JsonValueKind.Array => new LeafNode(property.Value.EnumerateArray().Select(m => ParseMatcher(m, childPath)).ToList()),
                _ => throw new FilterPatternException($"{childPath}: a field's value must be an array of matchers or a nested object (write [\"{property.Value}\"], not \"{property.Value}\")."),
            };
            fields.Add((property.Name, node));
        }

        if (fields.Count == 0 && ors.Count == 0)
        {
            throw new FilterPatternException($"{path}: an empty object matches nothing useful; remove it.");
        }

        return new ObjectNode(fields, ors);
    }

    private static Matcher ParseMatcher(JsonElement m, string path)
    {
        switch (m.ValueKind)
        {
            case JsonValueKind.String:
                return new ExactString(m.GetString()!);
            case JsonValueKind.Number:
                return new ExactNumber(m.GetDouble());
            case JsonValueKind.True:
            case JsonValueKind.False:
                return new ExactBool(m.GetBoolean());
            case JsonValueKind.Null:
                return new ExactNull();
            case JsonValueKind.Object:
                break;
            default:
                throw new FilterPatternException($"{path}: unsupported matcher {m}.");
        }

        var props = m.EnumerateObject().ToList();
        if (props.Count != 1)
        {
            throw new FilterPatternException($"{path}: a matcher object has exactly one operator, got {m}.");
        }

        var (op, arg) = (props[0].Name, props[0].Value);
        return op switch
        {
            "prefix" => new Prefix(PrefixOrSuffixValue(arg, path, op, out var prefixIgnoresCase), prefixIgnoresCase),
            "suffix" => new Suffix(PrefixOrSuffixValue(arg, path, op, out var suffixIgnoresCase), suffixIgnoresCase),
            "equals-ignore-case" => new EqualsIgnoreCase(RequireString(arg, path, op)),
            "exists" => arg.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? new Exists(arg.GetBoolean())
                : throw new FilterPatternException($"{path}: exists takes true or false."),
            "numeric" => ParseNumeric(arg, path),
            "anything-but" => ParseAnythingBut(arg, path),
            "wildcard" or "cidr" => throw new FilterPatternException(
                $"{path}: '{op}' is an EventBridge operator; Lambda's event filtering does not offer it (its operators: equals, equals-ignore-case, prefix, suffix, anything-but, numeric, exists, $or)."),
            _ => throw new FilterPatternException($"{path}: unknown operator '{op}'."),
        };
    }

    /// <summary>A prefix or suffix: a string, or <c>{"equals-ignore-case": string}</c> for one that ignores case.</summary>
    private static string PrefixOrSuffixValue(JsonElement arg, string path, string op, out bool ignoreCase)
    {
        ignoreCase = false;
        if (arg.ValueKind == JsonValueKind.Object)
        {
            var inner = arg.EnumerateObject().ToList();
            if (inner is not [{ Name: "equals-ignore-case" } only])
            {
                throw new FilterPatternException($"{path}: {op} takes a string or {{\"equals-ignore-case\": string}}.");
            }

            ignoreCase = true;
            return RequireString(only.Value, path, op + " equals-ignore-case");
        }

        return RequireString(arg, path, op);
    }

    private static string RequireString(JsonElement arg, string path, string op) =>
        arg.ValueKind == JsonValueKind.String ? arg.GetString()! : throw new FilterPatternException($"{path}: {op} takes a string.");

    private static Numeric ParseNumeric(JsonElement arg, string path)
    {
        if (arg.ValueKind != JsonValueKind.Array || arg.GetArrayLength() is not (2 or 4))
        {
            throw new FilterPatternException($"{path}: numeric takes [op, n] or [lower-op, n, upper-op, n].");
        }

        var items = arg.EnumerateArray().ToList();
        var comparisons = new List<(string Op, double Value)>();
        for (var i = 0; i < items.Count; i += 2)
        {
            if (items[i].ValueKind != JsonValueKind.String || items[i + 1].ValueKind != JsonValueKind.Number)
            {
                throw new FilterPatternException($"{path}: numeric takes operator strings each followed by a number.");
            }

            var op = items[i].GetString()!;
            if (op is not ("=" or "<" or "<=" or ">" or ">="))
            {
                throw new FilterPatternException($"{path}: numeric operator '{op}' is not one of = < <= > >=.");
            }

            comparisons.Add((op, items[i + 1].GetDouble()));
        }

        // A range is a lower bound then an upper bound, as the documentation writes it.
        if (comparisons.Count == 2 && (comparisons[0].Op is not (">" or ">=") || comparisons[1].Op is not ("<" or "<=")))
        {
            throw new FilterPatternException($"{path}: a numeric range is [\">\" or \">=\", low, \"<\" or \"<=\", high].");
        }

        return new Numeric(comparisons);
    }

    private static AnythingBut ParseAnythingBut(JsonElement arg, string path)
    {
        switch (arg.ValueKind)
        {
            case JsonValueKind.String:
            case JsonValueKind.Number:
                return new AnythingBut([ParseMatcher(arg, path)]);
            case JsonValueKind.Array:
                var values = arg.EnumerateArray().ToList();
                if (values.Count == 0)
                {
                    throw new FilterPatternException($"{path}: anything-but takes a non-empty list.");
                }

                if (!values.All(v => v.ValueKind == JsonValueKind.String) && !values.All(v => v.ValueKind == JsonValueKind.Number))
                {
                    throw new FilterPatternException($"{path}: an anything-but list holds only strings or only numbers.");
                }

                return new AnythingBut([.. values.Select(v => ParseMatcher(v, path))]);
            case JsonValueKind.Object:
                var inner = arg.EnumerateObject().ToList();
                if (inner is not [var only] || only.Name is not ("prefix" or "suffix" or "equals-ignore-case"))
                {
                    throw new FilterPatternException(
                        inner is [{ Name: "wildcard" }]
                            ? $"{path}: anything-but wildcard is an EventBridge operator; Lambda's event filtering does not offer it."
                            : $"{path}: anything-but takes a value, a list, or one of prefix, suffix, equals-ignore-case.");
                }

                // One string or a list of strings; an empty prefix or suffix would exclude every string, and AWS rejects it.
                var strings = only.Value.ValueKind switch
                {
                    JsonValueKind.String => [only.Value.GetString()!],
                    JsonValueKind.Array when only.Value.GetArrayLength() > 0 && only.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                        only.Value.EnumerateArray().Select(v => v.GetString()!).ToList(),
                    _ => throw new FilterPatternException($"{path}: anything-but {only.Name} takes a string or a non-empty list of strings."),
                };
                if (only.Name is "prefix" or "suffix" && strings.Any(v => v.Length == 0))
                {
                    throw new FilterPatternException($"{path}: an empty anything-but {only.Name} is not allowed.");
                }

                return new AnythingBut([.. strings.Select(v => only.Name switch
                {
                    "prefix" => (Matcher)new Prefix(v, IgnoreCase: false),
                    "suffix" => new Suffix(v, IgnoreCase: false),
                    _ => new EqualsIgnoreCase(v),
                })]);
            default:
                throw new FilterPatternException($"{path}: anything-but takes a value, a list, or an object.");
        }
    }

    private abstract class Node
    {
        /// <summary><paramref name="value"/> is null when the field is absent from the record.</summary>
        public abstract bool Matches(JsonElement? value);
    }

    private sealed class ObjectNode(IReadOnlyList<(string Name, Node Node)> fields, IReadOnlyList<IReadOnlyList<ObjectNode>> ors) : Node
    {
        public bool Matches(JsonElement value) => Matches((JsonElement?)value);

        public override bool Matches(JsonElement? value)
        {
            if (value is { ValueKind: JsonValueKind.Array } array)
            {
                foreach (var element in array.EnumerateArray())
                {
                    if (Matches(element))
                    {
                        return true;
                    }
                }

                return false;
            }

            var obj = value is { ValueKind: JsonValueKind.Object } o ? o : (JsonElement?)null;
            foreach (var (name, node) in fields)
            {
                JsonElement? child = obj is { } parent && parent.TryGetProperty(name, out var c) ? c : null;
                if (!node.Matches(child))
                {
                    return false;
                }
            }

            foreach (var alternatives in ors)
            {
                if (!alternatives.Any(a => a.Matches(value)))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class LeafNode(IReadOnlyList<Matcher> matchers) : Node
    {
        public override bool Matches(JsonElement? value)
        {
            // exists:false is the only matcher an absent field can satisfy.
            if (value is null)
            {
                return matchers.Any(m => m is Exists { Expected: false });
            }

            var v = value.Value;
            if (v.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in v.EnumerateArray())
                {
                    if (matchers.Any(m => m.Matches(element)))
                    {
                        return true;
                    }
                }

                return false;
            }

            return matchers.Any(m => m.Matches(v));
        }
    }

    private abstract record Matcher
    {
        public abstract bool Matches(JsonElement value);
    }

    private sealed record ExactString(string Expected) : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.String && value.GetString() == Expected;
    }

    private sealed record ExactNumber(double Expected) : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.GetDouble() == Expected;
    }

    private sealed record ExactBool(bool Expected) : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind is JsonValueKind.True or JsonValueKind.False && value.GetBoolean() == Expected;
    }

    private sealed record ExactNull : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.Null;
    }

    private sealed record Prefix(string Value, bool IgnoreCase) : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.String
            && value.GetString()!.StartsWith(Value, IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private sealed record Suffix(string Value, bool IgnoreCase) : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.String
            && value.GetString()!.EndsWith(Value, IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private sealed record EqualsIgnoreCase(string Value) : Matcher
    {
        public override bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.String
            && string.Equals(value.GetString(), Value, StringComparison.OrdinalIgnoreCase);
    }

    private sealed record Exists(bool Expected) : Matcher
    {
        // Present here: the field is in the record. Exists looks at leaves only: an object under the path is no value,
        // so it does not "exist" (exists: true fails) and does "not exist" (exists: false matches), as AWS judges it:
        // {"NewImage": {"x": [{"exists": false}]}} lets through a record whose x is {"S": "..."}.
        public override bool Matches(JsonElement value) => Expected == (value.ValueKind != JsonValueKind.Object);
    }

    private sealed record Numeric(IReadOnlyList<(string Op, double Value)> Comparisons) : Matcher
    {
        // Only JSON numbers: DynamoDB's {"N":"5"} is a string, which is why Lambda's numeric filters do not apply to it.
        public override bool Matches(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                return false;
            }

            var n = value.GetDouble();
            foreach (var (op, bound) in Comparisons)
            {
                var ok = op switch
                {
                    "=" => n == bound,
                    "<" => n < bound,
                    "<=" => n <= bound,
                    ">" => n > bound,
                    ">=" => n >= bound,
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed record AnythingBut(IReadOnlyList<Matcher> Excluded) : Matcher
    {
        // Matches a present value that none of the excluded matchers match (an absent field never reaches here).
        public override bool Matches(JsonElement value) => !Excluded.Any(m => m.Matches(value));
    }

    public override string ToString() => Source;
}

public sealed class FilterPatternException : Exception
{
    public FilterPatternException()
    {
    }

    public FilterPatternException(string message)
        : base(message)
    {
    }

    public FilterPatternException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
