using System.Text.RegularExpressions;

namespace Serverless.Template.Tests;

/// <summary>
/// The environment variables the deployed code reads, found in its source: string literals and constants given to
/// <c>Environment.GetEnvironmentVariable</c> / <c>IRuntimeEnvironment.GetVariable</c>, and every <c>const string</c>
/// named <c>…Variable</c> (the code's convention for a variable's name, also used where a helper reads it). A call
/// whose argument is neither is reported, so a new way of reading a variable cannot slip past.
/// </summary>
internal static partial class CodeEnvironment
{
    /// <summary>The projects each handler runs (the one executable dispatches by handler; see FunctionCatalog).</summary>
    public static IReadOnlyDictionary<string, string[]> ProjectsByHandler { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Api"] = ["Serverless.Functions", "Serverless.Lambda", "Serverless.Api", "Serverless.Data", "Serverless.Domain"],
        ["Audit"] = ["Serverless.Functions", "Serverless.Lambda", "Serverless.Streams", "Serverless.Data", "Serverless.Domain"],
        ["Denormalize"] = ["Serverless.Functions", "Serverless.Lambda", "Serverless.Streams", "Serverless.Data", "Serverless.Domain"],
        ["Purge"] = ["Serverless.Functions", "Serverless.Lambda", "Serverless.Streams", "Serverless.Data", "Serverless.Domain"],
        ["CacheInvalidation"] = ["Serverless.Functions", "Serverless.Lambda", "Serverless.Streams", "Serverless.Data", "Serverless.Domain"],
    };

    /// <summary>Set by Lambda itself (Lambda developer guide, "Defined runtime environment variables"); a function may not set them.</summary>
    public static IReadOnlySet<string> ReservedByLambda { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    /// <summary>
    /// Set by Lambda for a function with active tracing (the X-Ray daemon's host:port), though not reserved: a function
    /// may set it, and needs not.
    /// </summary>
    public static IReadOnlySet<string> SetByLambdaWhenTraced { get; } = new HashSet<string>(StringComparer.Ordinal) { "AWS_XRAY_DAEMON_ADDRESS" };

    public sealed record Scan(IReadOnlyDictionary<string, IReadOnlyList<string>> Variables, IReadOnlyList<string> Unresolved);

    /// <summary>Variable name -> the source files that read it, over the given projects under src/.</summary>
    public static Scan Of(IEnumerable<string> projects)
    {
        var files = projects
            .SelectMany(p => Directory.EnumerateFiles(RepoPaths.Of("src", p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(RepoPaths.Root(), f), Text: File.ReadAllText(f)))
            .ToList();

        var constants = files
            .SelectMany(f => StringConstant().Matches(f.Text).Select(m => (Name: m.Groups[1].Value, Value: m.Groups[2].Value)))
            .ToLookup(c => c.Name, c => c.Value, StringComparer.Ordinal);

        var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unresolved = new List<string>();
        void Add(string variable, string file)
        {
            if (!found.TryGetValue(variable, out var where))
            {
                found[variable] = where = [];
            }

            if (!where.Contains(file))
            {
                where.Add(file);
            }
        }

        foreach (var (path, text) in files)
        {
            foreach (Match m in StringConstant().Matches(text))
            {
                if (m.Groups[1].Value.EndsWith("Variable", StringComparison.Ordinal))
                {
                    Add(m.Groups[2].Value, path);
                }
            }

            foreach (Match call in VariableRead().Matches(text))
            {
                var argument = call.Groups[1].Value.Trim();
                if (argument.Contains(' ', StringComparison.Ordinal))
                {
                    // A declaration (string? GetVariable(string name)), not a read.
                    continue;
                }

                if (argument.Length >= 2 && argument[0] == '"' && argument[^1] == '"')
                {
                    Add(argument[1..^1], path);
                    continue;
                }

                var identifier = argument.Split('.')[^1];
                if (constants[identifier].Any())
                {
                    foreach (var value in constants[identifier])
                    {
                        Add(value, path);
                    }
                }
                else if (!IsParameterPassThrough(identifier))
                {
                    unresolved.Add($"{path}: {call.Value}");
                }
            }
        }

        return new Scan(found.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal), unresolved);
    }

    // `string name` handed through a helper (GetVariable(name)): its callers pass a …Variable constant, found above.
    private static bool IsParameterPassThrough(string identifier) =>
        identifier.Length > 0 && char.IsLower(identifier[0]) && identifier.All(char.IsLetterOrDigit);

    [GeneratedRegex(@"const\s+string\s+(\w+)\s*=\s*""([^""]*)""")]
    private static partial Regex StringConstant();

    [GeneratedRegex(@"\b(?:GetEnvironmentVariable|GetVariable)\(\s*([^(),]+?)\s*\)")]
    private static partial Regex VariableRead();
}
