using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serverless.Local.EventSourceMapping;

/// <summary>A reference to another resource of the template (!Ref Resource, !GetAtt Resource.Attribute).</summary>
internal sealed record TemplateReference(string LogicalId, string? Attribute);

/// <summary>An intrinsic the loader cannot evaluate locally (e.g. !ImportValue); kept so errors can name it.</summary>
internal sealed record Unresolved(string Description);

/// <summary>
/// Evaluates the CloudFormation intrinsics a SAM template uses in event settings, in short (!Ref) and long (Ref:)
/// form: parameters resolve to their overrides or defaults, conditions are evaluated, references to resources stay
/// references, and what cannot be known locally stays <see cref="Unresolved"/> rather than failing the whole load.
/// Results: string, <see cref="TemplateReference"/>, <see cref="Unresolved"/>, list, dictionary, or null for
/// AWS::NoValue.
/// </summary>
internal sealed partial class TemplateEvaluator
{
    private static readonly Dictionary<string, string> Pseudo = new(StringComparer.Ordinal)
    {
        ["AWS::Region"] = "us-east-1",
        ["AWS::AccountId"] = "123456789012",
        ["AWS::StackName"] = "local",
        ["AWS::Partition"] = "aws",
        ["AWS::URLSuffix"] = "amazonaws.com",
    };

    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);
    private readonly YamlMappingNode? _conditions;
    private readonly Dictionary<string, bool> _conditionValues = new(StringComparer.Ordinal);

    public TemplateEvaluator(YamlMappingNode root, IReadOnlyDictionary<string, string>? overrides)
    {
        if (Child(root, "Parameters") is YamlMappingNode parameters)
        {
            foreach (var (name, definition) in parameters.Children)
            {
                var key = ((YamlScalarNode)name).Value!;
                if (overrides is not null && overrides.TryGetValue(key, out var given))
                {
                    _parameters[key] = given;
                }
                else if (definition is YamlMappingNode d && Child(d, "Default") is YamlScalarNode { Value: { } def })
                {
                    _parameters[key] = def;
                }
            }
        }

        _conditions = Child(root, "Conditions") as YamlMappingNode;
    }

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public object? Evaluate(YamlNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode scalar when scalar.Tag.IsEmpty || scalar.Tag.Value is "tag:yaml.org,2002:str" or "!":
                return scalar.Value;
            case YamlScalarNode scalar:
                return Intrinsic(scalar.Tag.Value.TrimStart('!'), scalar);
            case YamlSequenceNode seq when !seq.Tag.IsEmpty:
                return Intrinsic(seq.Tag.Value.TrimStart('!'), seq);
            case YamlSequenceNode seq:
                return seq.Children.Select(Evaluate).Where(v => v is not null).ToList();
            case YamlMappingNode map when !map.Tag.IsEmpty:
                return Intrinsic(map.Tag.Value.TrimStart('!'), map);
            case YamlMappingNode map when map.Children.Count == 1 && map.Children.Keys.Single() is YamlScalarNode { Value: { } k }
                                          && (k == "Ref" || k.StartsWith("Fn::", StringComparison.Ordinal) || k == "Condition"):
                return Intrinsic(k.StartsWith("Fn::", StringComparison.Ordinal) ? k[4..] : k, map.Children.Values.Single());
            case YamlMappingNode map:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in map.Children)
                {
                    var evaluated = Evaluate(value);
                    if (evaluated is not null)
                    {
                        result[((YamlScalarNode)key).Value!] = evaluated;
                    }
                }

                return result;
            default:
                return new Unresolved($"unsupported YAML node {node.NodeType}");
        }
    }

    public bool IsConditionTrue(string name)
    {
        if (_conditionValues.TryGetValue(name, out var known))
        {
            return known;
        }

        if (Child(_conditions, name) is not { } definition)
        {
            throw new SamTemplateException($"Condition '{name}' is used but not defined under Conditions.");
        }

        // Guard against a condition that refers to itself while it is being evaluated.
        _conditionValues[name] = false;
        var value = AsBool(Evaluate(definition), $"condition {name}");
        _conditionValues[name] = value;
        return value;
    }

    private object? Intrinsic(string function, YamlNode argument)
    {
        switch (function)
        {
            case "Ref":
                var name = Scalar(argument);
                if (name == "AWS::NoValue")
                {
                    return null;
                }

                if (_parameters.TryGetValue(name, out var parameter))
                {
                    return parameter;
                }

                return Pseudo.TryGetValue(name, out var pseudo) ? pseudo : new TemplateReference(name, null);

            case "GetAtt":
                if (argument is YamlScalarNode { Value: { } dotted })
                {
                    var dot = dotted.IndexOf('.', StringComparison.Ordinal);
                    return dot < 0 ? new TemplateReference(dotted, null) : new TemplateReference(dotted[..dot], dotted[(dot + 1)..]);
                }

                if (argument is YamlSequenceNode { Children.Count: 2 } pair)
                {
                    return new TemplateReference(Scalar(pair.Children[0]), Evaluate(pair.Children[1]) as string);
                }

                return new Unresolved("malformed !GetAtt");

            case "Sub":
                return Sub(argument);

            case "If":
                if (argument is not YamlSequenceNode { Children.Count: 3 } branches)
                {
                    return new Unresolved("malformed !If");
                }

                return IsConditionTrue(Scalar(branches.Children[0])) ? Evaluate(branches.Children[1]) : Evaluate(branches.Children[2]);

            case "Join":
                if (argument is YamlSequenceNode { Children.Count: 2 } join && Evaluate(join.Children[1]) is List<object?> parts
                    && parts.All(p => p is string))
                {
                    return string.Join(Scalar(join.Children[0]), parts.Cast<string>());
                }

                return new Unresolved("!Join over values not known locally");

            case "Equals":
                if (argument is YamlSequenceNode { Children.Count: 2 } eq)
                {
                    var (a, b) = (Evaluate(eq.Children[0]), Evaluate(eq.Children[1]));
                    return a is string sa && b is string sb ? sa == sb ? "true" : "false" : new Unresolved("!Equals over values not known locally");
                }

                return new Unresolved("malformed !Equals");

            case "Not":
                return argument is YamlSequenceNode { Children.Count: 1 } not
                    ? (!AsBool(Evaluate(not.Children[0]), "!Not")).ToString().ToLowerInvariant()
                    : new Unresolved("malformed !Not");

            case "And":
                return argument is YamlSequenceNode and
                    ? and.Children.All(c => AsBool(Evaluate(c), "!And")).ToString().ToLowerInvariant()
                    : new Unresolved("malformed !And");

            case "Or":
                return argument is YamlSequenceNode or
                    ? or.Children.Any(c => AsBool(Evaluate(c), "!Or")).ToString().ToLowerInvariant()
                    : new Unresolved("malformed !Or");

            case "Condition":
                return IsConditionTrue(Scalar(argument)) ? "true" : "false";

            default:
                return new Unresolved($"!{function} (not evaluated locally)");
        }
    }

    private object Sub(YamlNode argument)
    {
        string text;
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (argument is YamlScalarNode { Value: { } s })
        {
            text = s;
        }
        else if (argument is YamlSequenceNode { Children.Count: 2 } pair && pair.Children[0] is YamlScalarNode { Value: { } t })
        {
            text = t;
            if (Evaluate(pair.Children[1]) is Dictionary<string, object?> vars)
            {
                variables = vars;
            }
        }
        else
        {
            return new Unresolved("malformed !Sub");
        }

        var unresolved = false;
        var result = SubVariable().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (name.StartsWith('!'))
            {
                return "${" + name[1..] + "}"; // ${!Literal} escapes a placeholder
            }

            if (variables.TryGetValue(name, out var v) && v is string vs)
            {
                return vs;
            }

            if (_parameters.TryGetValue(name, out var p))
            {
                return p;
            }

            if (Pseudo.TryGetValue(name, out var ps))
            {
                return ps;
            }

            unresolved = true;
            return m.Value;
        });

        return unresolved ? new Unresolved($"!Sub \"{text}\" refers to values not known locally") : result;
    }

    private static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: { } v } ? v : throw new SamTemplateException($"Expected a name at line {node.Start.Line}, found {node.NodeType}.");

    public static bool AsBool(object? value, string what) => value switch
    {
        string s when bool.TryParse(s, out var b) => b,
        _ => throw new SamTemplateException($"{what}: expected true or false, found {Describe(value)}."),
    };

    public static int AsInt(object? value, string what) => value switch
    {
        string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        _ => throw new SamTemplateException($"{what}: expected a whole number, found {Describe(value)}."),
    };

    public static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"'{s}'",
        TemplateReference r => r.Attribute is null ? $"!Ref {r.LogicalId}" : $"!GetAtt {r.LogicalId}.{r.Attribute}",
        Unresolved u => u.Description,
        _ => value.GetType().Name,
    };

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubVariable();
}
