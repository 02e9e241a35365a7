using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serverless.Local.Tests.Iam;

/// <summary>
/// template.yaml as CloudFormation would resolve it in one fixed account, region and stack: parameters (defaults or
/// overrides), pseudo parameters, conditions (!If, !Not, !Equals, !And, !Or), AWS::NoValue, !Sub, and !Ref/!GetAtt of
/// the resources the roles and event sources name, which become the ARNs and names CloudFormation would give them.
/// An intrinsic or attribute it does not know fails loudly, so a role can never pass by being misread.
/// </summary>
internal sealed partial class DeployedTemplate
{
    public const string Region = "us-east-1";
    public const string Account = "123456789012";
    public const string Stack = "serverless";

    /// <summary>The key id KMS would give a key of the template (any fixed one does).</summary>
    public const string FieldKeyId = "0f1e2d3c-4b5a-4697-8877-66554433aabb";

    /// <summary>The stream label a deploy would give the table's stream (any fixed one does).</summary>
    public const string StreamLabel = "2026-01-01T00:00:00.000";

    private static readonly Dictionary<string, string> Pseudo = new(StringComparer.Ordinal)
    {
        ["AWS::Region"] = Region,
        ["AWS::AccountId"] = Account,
        ["AWS::StackName"] = Stack,
        ["AWS::Partition"] = "aws",
        ["AWS::URLSuffix"] = "amazonaws.com",
    };

    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);
    private readonly YamlMappingNode _conditions;

    public DeployedTemplate(YamlMappingNode root, IReadOnlyDictionary<string, string>? overrides = null)
    {
        Root = root;
        Resources = (YamlMappingNode)Child(root, "Resources")!;
        _conditions = Child(root, "Conditions") as YamlMappingNode ?? new YamlMappingNode();
        foreach (var (name, definition) in (Child(root, "Parameters") as YamlMappingNode)?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var key = ((YamlScalarNode)name).Value!;
            if (overrides?.GetValueOrDefault(key) is { } given)
            {
                _parameters[key] = given;
            }
            else if (Child(definition, "Default") is YamlScalarNode { Value: { } value })
            {
                _parameters[key] = value;
            }
        }
    }

    public YamlMappingNode Root { get; }

    public YamlMappingNode Resources { get; }

    public static DeployedTemplate Load(IReadOnlyDictionary<string, string>? overrides = null) => Parse(File.ReadAllText(RepoPaths.Of("template.yaml")), overrides);

    public static DeployedTemplate Parse(string yaml, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new DeployedTemplate((YamlMappingNode)stream.Documents[0].RootNode, overrides);
    }

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public YamlNode Resource(string logicalId) =>
        Child(Resources, logicalId) ?? throw new InvalidOperationException($"template.yaml has no resource {logicalId}.");

    public string TypeOf(string logicalId) => ((YamlScalarNode)Child(Resource(logicalId), "Type")!).Value!;

    /// <summary>A value resolved: string, list, dictionary, or null where AWS::NoValue (or a false !If branch) leaves nothing.</summary>
    public object? Resolve(YamlNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode scalar when scalar.Tag.IsEmpty || scalar.Tag.Value == "!":
                return scalar.Value;
            case YamlSequenceNode seq when seq.Tag.IsEmpty:
                return seq.Children.Select(Resolve).Where(v => v is not null).ToList();
            case YamlMappingNode map when map.Tag.IsEmpty && map.Children.Count == 1
                                          && map.Children.Keys.Single() is YamlScalarNode { Value: { } k } && (k == "Ref" || k.StartsWith("Fn::", StringComparison.Ordinal)):
                return Intrinsic(k == "Ref" ? "Ref" : k[4..], map.Children.Values.Single());
            case YamlMappingNode map when map.Tag.IsEmpty:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in map.Children)
                {
                    if (Resolve(value) is { } resolved)
                    {
                        result[((YamlScalarNode)key).Value!] = resolved;
                    }
                }

                return result;
            default:
                return Intrinsic(node.Tag.Value.TrimStart('!'), node);
        }
    }

    public string ResolveString(YamlNode? node, string what) =>
        Resolve(node) as string ?? throw new InvalidOperationException($"{what}: expected a value that resolves to a string.");

    public bool IsConditionTrue(string name) =>
        Child(_conditions, name) is { } definition
            ? Resolve(definition) as string == "true"
            : throw new InvalidOperationException($"Condition {name} is not defined.");

    /// <summary>What !Ref of a resource gives.</summary>
    public string RefOf(string logicalId)
    {
        var properties = Child(Resource(logicalId), "Properties");
        return TypeOf(logicalId) switch
        {
            "AWS::DynamoDB::Table" => ResolveString(Child(properties, "TableName"), $"{logicalId}.TableName"),
            "AWS::Logs::LogGroup" => ResolveString(Child(properties, "LogGroupName"), $"{logicalId}.LogGroupName"),
            "AWS::SQS::Queue" => $"https://sqs.{Region}.amazonaws.com/{Account}/{PhysicalName(logicalId)}",
            "AWS::SecretsManager::Secret" => $"arn:aws:secretsmanager:{Region}:{Account}:secret:{PhysicalName(logicalId)}-AbCdEf",
            "AWS::KMS::Key" => FieldKeyId,
            _ => PhysicalName(logicalId),
        };
    }

    /// <summary>What !GetAtt of a resource gives, for the attributes roles and event sources use.</summary>
    public string AttributeOf(string logicalId, string attribute) => (TypeOf(logicalId), attribute) switch
    {
        ("AWS::DynamoDB::Table", "Arn") => $"arn:aws:dynamodb:{Region}:{Account}:table/{RefOf(logicalId)}",
        ("AWS::DynamoDB::Table", "StreamArn") => $"arn:aws:dynamodb:{Region}:{Account}:table/{RefOf(logicalId)}/stream/{StreamLabel}",
        // A log group's Arn attribute ends with ":*" (it covers the group's streams).
        ("AWS::Logs::LogGroup", "Arn") => $"arn:aws:logs:{Region}:{Account}:log-group:{RefOf(logicalId)}:*",
        ("AWS::SQS::Queue", "Arn") => $"arn:aws:sqs:{Region}:{Account}:{PhysicalName(logicalId)}",
        ("AWS::SQS::Queue", "QueueName") => PhysicalName(logicalId),
        ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{Account}:role/{PhysicalName(logicalId)}",
        ("AWS::KMS::Key", "Arn") => $"arn:aws:kms:{Region}:{Account}:key/{RefOf(logicalId)}",
        var (type, _) => throw new InvalidOperationException($"!GetAtt {logicalId}.{attribute} ({type}) is not resolved by this check; add it to DeployedTemplate."),
    };

    // CloudFormation's generated names: stack, logical id, a random suffix (fixed here).
    private static string PhysicalName(string logicalId) => $"{Stack}-{logicalId}-1A2B3C4D5E6F";

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

                return _parameters.TryGetValue(name, out var parameter) ? parameter
                    : Pseudo.TryGetValue(name, out var pseudo) ? pseudo
                    : Child(Resources, name) is not null ? RefOf(name)
                    : throw new InvalidOperationException($"!Ref {name}: no parameter without a value and no resource has that name.");
            case "GetAtt":
                var dotted = argument is YamlSequenceNode pair ? Scalar(pair.Children[0]) + "." + Scalar(pair.Children[1]) : Scalar(argument);
                var dot = dotted.IndexOf('.', StringComparison.Ordinal);
                return AttributeOf(dotted[..dot], dotted[(dot + 1)..]);
            case "Sub":
                return SubVariable().Replace(Scalar(argument), m =>
                {
                    var variable = m.Groups[1].Value;
                    var at = variable.IndexOf('.', StringComparison.Ordinal);
                    return at > 0 && Child(Resources, variable[..at]) is not null
                        ? AttributeOf(variable[..at], variable[(at + 1)..])
                        : (string)Intrinsic("Ref", new YamlScalarNode(variable))!;
                });
            case "If":
                var branches = (YamlSequenceNode)argument;
                return IsConditionTrue(Scalar(branches.Children[0])) ? Resolve(branches.Children[1]) : Resolve(branches.Children[2]);
            case "Equals":
                var operands = ((YamlSequenceNode)argument).Children.Select(c => Resolve(c) as string).ToList();
                return operands[0] == operands[1] ? "true" : "false";
            case "Not":
                return Resolve(((YamlSequenceNode)argument).Children.Single()) as string == "true" ? "false" : "true";
            case "And":
                return ((YamlSequenceNode)argument).Children.All(c => Resolve(c) as string == "true") ? "true" : "false";
            case "Or":
                return ((YamlSequenceNode)argument).Children.Any(c => Resolve(c) as string == "true") ? "true" : "false";
            case "Condition":
                return IsConditionTrue(Scalar(argument)) ? "true" : "false";
            default:
                throw new InvalidOperationException($"!{function} at line {argument.Start.Line} is not resolved by this check; add it to DeployedTemplate.");
        }
    }

    private static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new InvalidOperationException($"Expected a scalar at line {node.Start.Line}.");

    [GeneratedRegex(@"\$\{([A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariable();
}
