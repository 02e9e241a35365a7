using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serverless.Template.Tests;

/// <summary>
/// template.yaml read the way these tests need it: functions with their handler, environment (Globals merged in) and
/// events, with the intrinsics a deploy would resolve from parameter defaults resolved here too. References that
/// only exist once deployed stay visible as <c>&lt;Logical.Attribute&gt;</c>.
/// </summary>
internal sealed partial class SamTemplate
{
    public const string FunctionType = "AWS::Serverless::Function";

    private SamTemplate(YamlMappingNode root)
    {
        Root = root;
        Resources = Map(root, "Resources")!;
        Globals = Map(Map(root, "Globals"), "Function");
    }

    public YamlMappingNode Root { get; }

    public YamlMappingNode Resources { get; }

    public YamlMappingNode? Globals { get; }

    public static SamTemplate Load() => Parse(File.ReadAllText(RepoPaths.Of("template.yaml")));

    public static SamTemplate Parse(string yaml)
    {
        var stream = new YamlStream();
        // The representation model keeps CloudFormation's short tags (!Ref, !Sub, !If) as node tags instead of failing.
        stream.Load(new StringReader(yaml));
        return new SamTemplate((YamlMappingNode)stream.Documents[0].RootNode);
    }

    public IReadOnlyList<SamFunction> Functions() =>
    [
        .. Resources.Children
            .Where(r => Scalar(r.Value, "Type") == FunctionType)
            .Select(r => new SamFunction(this, ((YamlScalarNode)r.Key).Value!, (YamlMappingNode)r.Value)),
    ];

    public SamFunction Function(string logicalId) =>
        Functions().SingleOrDefault(f => f.LogicalId == logicalId)
        ?? throw new InvalidOperationException($"template.yaml has no function {logicalId}.");

    public IReadOnlyCollection<string> ParameterNames =>
        [.. (Map(Root, "Parameters")?.Children.Keys ?? Enumerable.Empty<YamlNode>()).Select(k => ((YamlScalarNode)k).Value!)];

    public string? ParameterDefault(string name) => Scalar(Map(Map(Root, "Parameters"), name), "Default");

    /// <summary>A value as a deploy with default parameters would see it (strings only; lists and maps are not values here).</summary>
    public string Resolve(YamlNode node)
    {
        // !Join [separator, list]: a list parameter (CommaDelimitedList) resolves as one value, a literal list item by item.
        if (node is YamlSequenceNode { Tag.Value: "!Join", Children: [YamlScalarNode separator, var list] })
        {
            return list is YamlSequenceNode items ? string.Join(separator.Value, items.Children.Select(Resolve)) : Resolve(list);
        }

        if (node is not YamlScalarNode scalar)
        {
            throw new InvalidOperationException($"Expected a scalar at line {node.Start.Line}.");
        }

        var text = scalar.Value ?? "";
        return scalar.Tag.IsEmpty ? text : scalar.Tag.Value switch
        {
            "!Ref" => ResolveRef(text),
            "!Sub" => SubVariable().Replace(text, m => m.Groups[1].Value.Contains('.', StringComparison.Ordinal)
                ? "<" + m.Groups[1].Value + ">"
                : ResolveRef(m.Groups[1].Value)),
            "!GetAtt" => "<" + text + ">",
            var tag => throw new InvalidOperationException($"Cannot resolve {tag} at line {node.Start.Line}."),
        };
    }

    private string ResolveRef(string name)
    {
        if (ParameterNames.Contains(name))
        {
            return ParameterDefault(name) ?? "<" + name + ">";
        }

        if (name.StartsWith("AWS::", StringComparison.Ordinal))
        {
            return "<" + name + ">";
        }

        // A table's Ref is its name; anything else is only known once deployed.
        var tableName = Map(Map(Resources, name), "Properties") is { } properties && properties.Children.TryGetValue(new YamlScalarNode("TableName"), out var value)
            ? Resolve(value)
            : null;
        return tableName ?? "<" + name + ">";
    }

    public static YamlMappingNode? Map(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    public static YamlSequenceNode? Seq(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlSequenceNode : null;

    public static string? Scalar(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    [GeneratedRegex(@"\$\{([A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariable();
}

/// <summary>One AWS::Serverless::Function of the template.</summary>
internal sealed class SamFunction(SamTemplate template, string logicalId, YamlMappingNode resource)
{
    public string LogicalId { get; } = logicalId;

    public YamlMappingNode Resource { get; } = resource;

    public YamlMappingNode Properties { get; } = SamTemplate.Map(resource, "Properties") ?? new YamlMappingNode();

    public string? Handler => SamTemplate.Scalar(Properties, "Handler") ?? SamTemplate.Scalar(template.Globals, "Handler");

    public string? Runtime => SamTemplate.Scalar(Properties, "Runtime") ?? SamTemplate.Scalar(template.Globals, "Runtime");

    public string? BuildMethod => SamTemplate.Scalar(SamTemplate.Map(Resource, "Metadata"), "BuildMethod");

    /// <summary>Globals' variables overridden by the function's own, resolved with default parameters.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var source in new[] { template.Globals, Properties })
            {
                var variables = SamTemplate.Map(SamTemplate.Map(source, "Environment"), "Variables");
                foreach (var (key, value) in variables?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
                {
                    result[((YamlScalarNode)key).Value!] = template.Resolve(value);
                }
            }

            return result;
        }
    }

    /// <summary>The function's events of one type (HttpApi, DynamoDB), by name, with their Properties.</summary>
    public IReadOnlyList<(string Name, YamlMappingNode Properties)> Events(string type) =>
    [
        .. (SamTemplate.Map(Properties, "Events")?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            .Where(e => SamTemplate.Scalar(e.Value, "Type") == type)
            .Select(e => (((YamlScalarNode)e.Key).Value!, SamTemplate.Map(e.Value, "Properties") ?? new YamlMappingNode())),
    ];
}
