using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// Reads the DynamoDB event source mappings of a SAM template: for every <c>AWS::Serverless::Function</c> (whose
/// Condition, if any, holds), each event of <c>Type: DynamoDB</c> becomes one <see cref="EventSourceMappingSettings"/>.
/// Uses YamlDotNet's node model (no reflection), so CloudFormation short tags such as !Ref, !GetAtt, !Sub and !If parse.
/// </summary>
public static class SamTemplateLoader
{
    public const string FunctionType = "AWS::Serverless::Function";

    public static async Task<IReadOnlyList<EventSourceMappingSettings>> LoadFileAsync(
        string path, IReadOnlyDictionary<string, string>? parameterOverrides = null, CancellationToken ct = default)
    {
        var text = await File.ReadAllTextAsync(path, ct);
        try
        {
            return Load(text, parameterOverrides);
        }
        catch (SamTemplateException e)
        {
            throw new SamTemplateException($"{path}: {e.Message}", e);
        }
    }

    /// <param name="yaml">The template text.</param>
    /// <param name="parameterOverrides">Parameter values, as <c>sam deploy --parameter-overrides</c> gives them; others take their Default.</param>
    public static IReadOnlyList<EventSourceMappingSettings> Load(string yaml, IReadOnlyDictionary<string, string>? parameterOverrides = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SamTemplateException($"not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SamTemplateException("the template is empty or not a mapping.");
        }

        var eval = new TemplateEvaluator(root, parameterOverrides);
        if (TemplateEvaluator.Child(root, "Resources") is not YamlMappingNode resources)
        {
            throw new SamTemplateException("the template has no Resources.");
        }

        var globals = TemplateEvaluator.Child(TemplateEvaluator.Child(root, "Globals"), "Function");
        var result = new List<EventSourceMappingSettings>();
        foreach (var (idNode, resource) in resources.Children)
        {
            var functionId = ((YamlScalarNode)idNode).Value!;
            if (eval.Evaluate(TemplateEvaluator.Child(resource, "Type")) as string != FunctionType)
            {
                continue;
            }

            if (eval.Evaluate(TemplateEvaluator.Child(resource, "Condition")) is string condition && !eval.IsConditionTrue(condition))
            {
                continue;
            }

            var properties = TemplateEvaluator.Child(resource, "Properties");
            var handler = eval.Evaluate(TemplateEvaluator.Child(properties, "Handler") ?? TemplateEvaluator.Child(globals, "Handler")) as string;
            if (TemplateEvaluator.Child(properties, "Events") is not YamlMappingNode events)
            {
                continue;
            }

            foreach (var (eventNameNode, definition) in events.Children)
            {
                var eventName = ((YamlScalarNode)eventNameNode).Value!;
                if (eval.Evaluate(TemplateEvaluator.Child(definition, "Type")) as string != "DynamoDB")
                {
                    continue;
                }

                var where = $"{functionId}.Events.{eventName}";
                var props = eval.Evaluate(TemplateEvaluator.Child(definition, "Properties")) as Dictionary<string, object?>
                    ?? throw new SamTemplateException($"{where}: a DynamoDB event needs Properties (at least Stream and StartingPosition).");
                result.Add(ReadEvent(functionId, eventName, handler, props, resources, eval, where));
            }
        }

        return result;
    }

    private static EventSourceMappingSettings ReadEvent(
        string functionId,
        string eventName,
        string? handler,
        Dictionary<string, object?> p,
        YamlMappingNode resources,
        TemplateEvaluator eval,
        string where)
    {
        string? tableLogicalId = null;
        string? tableName = null;
        string? streamArn = null;
        switch (p.GetValueOrDefault("Stream"))
        {
            case TemplateReference { Attribute: "StreamArn" } reference:
                tableLogicalId = reference.LogicalId;
                var table = TemplateEvaluator.Child(resources, reference.LogicalId)
                    ?? throw new SamTemplateException($"{where}.Stream: refers to '{reference.LogicalId}', which is not a resource of the template.");
                tableName = eval.Evaluate(TemplateEvaluator.Child(TemplateEvaluator.Child(table, "Properties"), "TableName")) as string;
                break;
            case string arn:
                streamArn = arn;
                tableName = TableNameFromStreamArn(arn);
                break;
            case var other:
                throw new SamTemplateException($"{where}.Stream: expected !GetAtt <Table>.StreamArn or a stream ARN, found {TemplateEvaluator.Describe(other)}.");
        }

        var startingPosition = p.GetValueOrDefault("StartingPosition") switch
        {
            "TRIM_HORIZON" => StartingPosition.TrimHorizon,
            "LATEST" => StartingPosition.Latest,
            var other => throw new SamTemplateException($"{where}.StartingPosition: DynamoDB streams take TRIM_HORIZON or LATEST, found {TemplateEvaluator.Describe(other)}."),
        };

        var settings = new EventSourceMappingSettings
        {
            FunctionName = functionId,
            EventName = eventName,
            Handler = handler,
            TableLogicalId = tableLogicalId,
            TableName = tableName,
            StreamArn = streamArn,
            StartingPosition = startingPosition,
            BatchSize = Int(p, "BatchSize", where) ?? 100,
            MaximumBatchingWindow = TimeSpan.FromSeconds(Int(p, "MaximumBatchingWindowInSeconds", where) ?? 0),
            Filters = Filters(p.GetValueOrDefault("FilterCriteria"), where),
            ReportBatchItemFailures = ResponseTypes(p.GetValueOrDefault("FunctionResponseTypes"), where),
            BisectBatchOnFunctionError = Bool(p, "BisectBatchOnFunctionError", where) ?? false,
            MaximumRetryAttempts = Int(p, "MaximumRetryAttempts", where) ?? -1,
            MaximumRecordAgeInSeconds = Int(p, "MaximumRecordAgeInSeconds", where) ?? -1,
            OnFailureDestination = OnFailure(p.GetValueOrDefault("DestinationConfig"), where),
            Enabled = Bool(p, "Enabled", where) ?? true,
            ParallelizationFactor = Int(p, "ParallelizationFactor", where) ?? 1,
        };

        // Tumbling windows carry state from one invocation to the next (the function returns it, Lambda hands it back,
        // isFinalInvokeForWindow ends the window): the local stack does not run that protocol, and says so rather than
        // invoking the function as if the window were not there.
        if (Int(p, "TumblingWindowInSeconds", where) is > 0)
        {
            throw new SamTemplateException(
                $"{where}.TumblingWindowInSeconds: tumbling windows are not emulated by the local stack (it would invoke the function without the window's state); remove it to run locally.");
        }

        // The ranges Lambda enforces, so a template the service would reject fails here too.
        Check(settings.BatchSize is >= 1 and <= 10_000, where, "BatchSize must be 1 to 10000");
        Check(settings.MaximumBatchingWindow.TotalSeconds is >= 0 and <= 300, where, "MaximumBatchingWindowInSeconds must be 0 to 300");
        Check(settings.MaximumRetryAttempts is >= -1 and <= 10_000, where, "MaximumRetryAttempts must be -1 to 10000");
        Check(settings.MaximumRecordAgeInSeconds is -1 or (>= 60 and <= 604_800), where, "MaximumRecordAgeInSeconds must be -1 or 60 to 604800");
        Check(settings.ParallelizationFactor is >= 1 and <= 10, where, "ParallelizationFactor must be 1 to 10");
        return settings;
    }

    private static void Check(bool ok, string where, string rule)
    {
        if (!ok)
        {
            throw new SamTemplateException($"{where}: {rule}.");
        }
    }

    private static int? Int(Dictionary<string, object?> p, string name, string where) =>
        p.TryGetValue(name, out var v) && v is not null ? TemplateEvaluator.AsInt(v, $"{where}.{name}") : null;

    private static bool? Bool(Dictionary<string, object?> p, string name, string where) =>
        p.TryGetValue(name, out var v) && v is not null ? TemplateEvaluator.AsBool(v, $"{where}.{name}") : null;

    private static bool ResponseTypes(object? value, string where)
    {
        if (value is null)
        {
            return false;
        }

        if (value is not List<object?> list)
        {
            throw new SamTemplateException($"{where}.FunctionResponseTypes: expected a list, found {TemplateEvaluator.Describe(value)}.");
        }

        foreach (var type in list)
        {
            if (type is not "ReportBatchItemFailures")
            {
                throw new SamTemplateException($"{where}.FunctionResponseTypes: the only value is ReportBatchItemFailures, found {TemplateEvaluator.Describe(type)}.");
            }
        }

        return list.Count > 0;
    }

    private static string? OnFailure(object? value, string where)
    {
        if (value is null)
        {
            return null;
        }

        var destination = (value as Dictionary<string, object?>)?.GetValueOrDefault("OnFailure") is Dictionary<string, object?> onFailure
            ? onFailure.GetValueOrDefault("Destination")
            : throw new SamTemplateException($"{where}.DestinationConfig: expected OnFailure with a Destination.");
        return destination switch
        {
            TemplateReference r => r.LogicalId,
            string arn => arn,
            var other => throw new SamTemplateException($"{where}.DestinationConfig.OnFailure.Destination: expected a reference or an ARN, found {TemplateEvaluator.Describe(other)}."),
        };
    }

    private static IReadOnlyList<FilterPattern> Filters(object? criteria, string where)
    {
        if (criteria is null)
        {
            return [];
        }

        if ((criteria as Dictionary<string, object?>)?.GetValueOrDefault("Filters") is not List<object?> filters)
        {
            throw new SamTemplateException($"{where}.FilterCriteria: expected Filters, a list of {{Pattern: <json>}}.");
        }

        var patterns = new List<FilterPattern>();
        for (var i = 0; i < filters.Count; i++)
        {
            var pattern = (filters[i] as Dictionary<string, object?>)?.GetValueOrDefault("Pattern");
            var json = pattern switch
            {
                string s => s,
                // Not CloudFormation's form (it wants a string), but an unambiguous way to write one in YAML.
                Dictionary<string, object?> map => ToJson(map),
                _ => throw new SamTemplateException($"{where}.FilterCriteria.Filters[{i}].Pattern: expected a JSON string, found {TemplateEvaluator.Describe(pattern)}."),
            };
            try
            {
                patterns.Add(FilterPattern.Parse(json));
            }
            catch (FilterPatternException e)
            {
                throw new SamTemplateException($"{where}.FilterCriteria.Filters[{i}].Pattern: {e.Message}", e);
            }
        }

        return patterns;
    }

    private static string ToJson(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void Write(Utf8JsonWriter w, object? v)
        {
            switch (v)
            {
                case Dictionary<string, object?> map:
                    w.WriteStartObject();
                    foreach (var (k, item) in map)
                    {
                        w.WritePropertyName(k);
                        Write(w, item);
                    }

                    w.WriteEndObject();
                    break;
                case List<object?> list:
                    w.WriteStartArray();
                    foreach (var item in list)
                    {
                        Write(w, item);
                    }

                    w.WriteEndArray();
                    break;
                case "true" or "false":
                    w.WriteBooleanValue((string)v == "true");
                    break;
                case string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n):
                    w.WriteNumberValue(n);
                    break;
                case string s:
                    w.WriteStringValue(s);
                    break;
                default:
                    w.WriteNullValue();
                    break;
            }
        }
    }

    // arn:aws:dynamodb:region:account:table/NAME/stream/LABEL
    private static string? TableNameFromStreamArn(string arn)
    {
        var parts = arn.Split('/');
        return parts.Length >= 4 && parts[0].EndsWith(":table", StringComparison.Ordinal) ? parts[1] : null;
    }
}
