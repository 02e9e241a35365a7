using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serverless.Template.Tests;

/// <summary>
/// template.yaml read the way these tests need it: functions with their handler, environment (Globals merged in) and
/// events, with the intrinsics a deploy would resolve from parameter defaults (or the overrides given) resolved here
/// too, conditions and !If included. References that only exist once deployed stay visible as <c>&lt;Logical.Attribute&gt;</c>.
/// </summary>
internal sealed partial class SamTemplate
{
    public const string FunctionType = "AWS::Serverless::Function";

    private readonly IReadOnlyDictionary<string, string> _overrides;

    private SamTemplate(YamlMappingNode root, IReadOnlyDictionary<string, string>? overrides)
    {
        Root = root;
        Resources = Map(root, "Resources")!;
        Globals = Map(Map(root, "Globals"), "Function");
        _overrides = overrides ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    public YamlMappingNode Root { get; }

    public YamlMappingNode Resources { get; }

    public YamlMappingNode? Globals { get; }

    public static SamTemplate Load(IReadOnlyDictionary<string, string>? overrides = null) => Parse(File.ReadAllText(RepoPaths.Of("template.yaml")), overrides);

    public static SamTemplate Parse(string yaml, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var stream = new YamlStream();
        // The representation model keeps CloudFormation's short tags (!Ref, !Sub, !If) as node tags instead of failing.
        stream.Load(new StringReader(yaml));
        return new SamTemplate((YamlMappingNode)stream.Documents[0].RootNode, overrides);
    }

    /// <summary>Every function the template declares, whatever its Condition.</summary>
    public IReadOnlyList<SamFunction> Functions() =>
    [
        .. Resources.Children
            .Where(r => Scalar(r.Value, "Type") == FunctionType)
            .Select(r => new SamFunction(this, ((YamlScalarNode)r.Key).Value!, (YamlMappingNode)r.Value)),
    ];

    /// <summary>The functions a deploy with these parameters creates.</summary>
    public IReadOnlyList<SamFunction> DeployedFunctions() => [.. Functions().Where(f => Exists(f.Resource))];

    public SamFunction Function(string logicalId) =>
        Functions().SingleOrDefault(f => f.LogicalId == logicalId)
        ?? throw new InvalidOperationException($"template.yaml has no function {logicalId}.");

    public IReadOnlyCollection<string> ParameterNames =>
        [.. (Map(Root, "Parameters")?.Children.Keys ?? Enumerable.Empty<YamlNode>()).Select(k => ((YamlScalarNode)k).Value!)];

    public string? ParameterDefault(string name) => Scalar(Map(Map(Root, "Parameters"), name), "Default");

    /// <summary>The parameter's value in this deploy: the override given, else its default.</summary>
    public string? ParameterValue(string name) => _overrides.TryGetValue(name, out var given) ? given : ParameterDefault(name);

    /// <summary>A condition of the template's Conditions, evaluated with <see cref="ParameterValue"/>.</summary>
    public bool IsConditionTrue(string name)
    {
        return Map(Root, "Conditions") is { } conditions && conditions.Children.TryGetValue(new YamlScalarNode(name), out var definition)
            ? Holds(definition)
            : throw new InvalidOperationException($"template.yaml has no condition {name}.");
    }

    /// <summary>A resource exists in this deploy: it has no Condition, or its Condition holds.</summary>
    public bool Exists(YamlNode resource) => Scalar(resource, "Condition") is not { } condition || IsConditionTrue(condition);

    /// <summary>
    /// The node a deploy keeps: an !If's chosen branch (followed through nested ones), null where that is
    /// <c>!Ref AWS::NoValue</c>; any other node as it is.
    /// </summary>
    public YamlNode? Chosen(YamlNode node) => (TagOf(node), node) switch
    {
        ("!If", YamlSequenceNode { Children: [YamlScalarNode condition, var whenTrue, var whenFalse] }) =>
            Chosen(IsConditionTrue(condition.Value!) ? whenTrue : whenFalse),
        ("!Ref", YamlScalarNode { Value: "AWS::NoValue" }) => null,
        _ => node,
    };

    private bool Holds(YamlNode condition) => (TagOf(condition), condition) switch
    {
        ("!Equals", YamlSequenceNode { Children: [var left, var right] }) => Resolve(left) == Resolve(right),
        ("!Not", YamlSequenceNode { Children: [var inner] }) => !Holds(inner),
        ("!And", YamlSequenceNode all) => all.Children.All(Holds),
        ("!Or", YamlSequenceNode any) => any.Children.Any(Holds),
        ("!Condition", YamlScalarNode { Value: { } name }) => IsConditionTrue(name),
        _ => throw new InvalidOperationException($"Cannot evaluate the condition at line {condition.Start.Line}."),
    };

    // YamlDotNet throws on the Value of an empty (non-specific) tag.
    private static string TagOf(YamlNode node) => node.Tag.IsEmpty ? "" : node.Tag.Value;

    /// <summary>A value as a deploy with these parameters would see it (strings only; lists and maps are not values here).</summary>
    public string Resolve(YamlNode node)
    {
        if (node is YamlSequenceNode && TagOf(node) == "!If")
        {
            return Chosen(node) is { } chosen ? Resolve(chosen) : "";
        }

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
            return ParameterValue(name) ?? "<" + name + ">";
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

    /// <summary>X-Ray tracing (<c>Active</c> or <c>PassThrough</c>), the function's own or the Globals'.</summary>
    public string? Tracing => SamTemplate.Scalar(Properties, "Tracing") ?? SamTemplate.Scalar(template.Globals, "Tracing");

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
