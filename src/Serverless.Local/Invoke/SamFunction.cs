using Serverless.Local.EventSourceMapping;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serverless.Local.Invoke;

/// <summary>What <c>invoke</c> needs of one AWS::Serverless::Function: its handler, timeout and plain environment.</summary>
public sealed record SamFunction(string LogicalId, string Handler, TimeSpan Timeout, IReadOnlyDictionary<string, string> Environment)
{
    /// <exception cref="SamTemplateException">The template is unreadable or has no such function.</exception>
    public static async Task<SamFunction> LoadAsync(string templatePath, string logicalId, CancellationToken ct)
    {
        if (!File.Exists(templatePath))
        {
            throw new SamTemplateException($"template '{templatePath}' does not exist");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(await File.ReadAllTextAsync(templatePath, ct)));
        }
        catch (YamlException e)
        {
            throw new SamTemplateException($"{templatePath} is not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || TemplateEvaluator.Child(root, "Resources") is not YamlMappingNode resources)
        {
            throw new SamTemplateException($"{templatePath} has no Resources");
        }

        var eval = new TemplateEvaluator(root, overrides: null);
        var functions = resources.Children
            .Where(r => eval.Evaluate(TemplateEvaluator.Child(r.Value, "Type")) as string == SamTemplateLoader.FunctionType)
            .ToDictionary(r => ((YamlScalarNode)r.Key).Value!, r => r.Value, StringComparer.Ordinal);
        if (!functions.TryGetValue(logicalId, out var resource))
        {
            throw new SamTemplateException(
                $"{templatePath} has no function '{logicalId}'; its functions are {string.Join(", ", functions.Keys.Order(StringComparer.Ordinal))}");
        }

        var globals = TemplateEvaluator.Child(TemplateEvaluator.Child(root, "Globals"), "Function");
        var properties = TemplateEvaluator.Child(resource, "Properties");
        var handler = eval.Evaluate(TemplateEvaluator.Child(properties, "Handler") ?? TemplateEvaluator.Child(globals, "Handler")) as string
            ?? throw new SamTemplateException($"function '{logicalId}' has no Handler");
        var timeoutValue = eval.Evaluate(TemplateEvaluator.Child(properties, "Timeout") ?? TemplateEvaluator.Child(globals, "Timeout"));
        var timeout = TimeSpan.FromSeconds(timeoutValue is null ? 3 : TemplateEvaluator.AsInt(timeoutValue, "Timeout"));

        // Like sam local: the function's variables over the global ones; values that only exist once deployed
        // (references to other resources) are left out.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { globals, properties })
        {
            if (TemplateEvaluator.Child(TemplateEvaluator.Child(source, "Environment"), "Variables") is YamlMappingNode variables)
            {
                foreach (var (name, value) in variables.Children)
                {
                    if (eval.Evaluate(value) is string text)
                    {
                        environment[((YamlScalarNode)name).Value!] = text;
                    }
                }
            }
        }

        return new SamFunction(logicalId, handler, timeout, environment);
    }
}
