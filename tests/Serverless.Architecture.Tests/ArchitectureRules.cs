namespace Serverless.Architecture.Tests;

/// <summary>A rule of docs/architecture.md: what it says, and the breaches of it in a graph (none when it holds).</summary>
public sealed record Rule(string Name, string Says, Func<ProjectGraph, IEnumerable<string>> Breaches)
{
    public override string ToString() => Name;
}

/// <summary>
/// The rules listed under the graph in docs/architecture.md, plus the one that keeps the tests beside the projects
/// they test. Each works on a <see cref="ProjectGraph"/>, so a test can hand it a graph with a forbidden arrow.
/// </summary>
public static class ArchitectureRules
{
    public const string Domain = "Serverless.Domain";
    public const string Lambda = "Serverless.Lambda";
    public const string Functions = "Serverless.Functions";
    public const string Api = "Serverless.Api";
    public const string Streams = "Serverless.Streams";
    public const string Data = "Serverless.Data";
    public const string Tools = "Serverless.Data.Tools";
    public const string Local = "Serverless.Local";
    public const string DynamoDbLocal = "Serverless.DynamoDbLocal";

    /// <summary>What only runs on a developer's machine or in CI.</summary>
    private static readonly string[] ToolTime = [Tools, Local, DynamoDbLocal];

    /// <summary>Rule 1.</summary>
    public static readonly Rule DomainAndLambdaReferenceNoProject = new(
        nameof(DomainAndLambdaReferenceNoProject),
        $"{Domain} and {Lambda} reference no project",
        graph => new[] { Domain, Lambda }.SelectMany(leaf => graph.ReferencesOf(leaf).Select(to => $"{leaf} references {to}")));

    /// <summary>Rule 2.</summary>
    public static readonly Rule LambdaCodeNeverReachesTheTools = new(
        nameof(LambdaCodeNeverReachesTheTools),
        $"what Lambda runs ({Functions} and all it reaches) never reaches {Tools}, {Local} or {DynamoDbLocal}",
        graph => ToolTime.Where(graph.Reach(Functions).Contains).Select(tool => $"{Functions} reaches {tool} ({Path(graph, Functions, tool)})"));

    /// <summary>Rule 3.</summary>
    public static readonly Rule ApiAndStreamsDoNotKnowEachOther = new(
        nameof(ApiAndStreamsDoNotKnowEachOther),
        $"{Api} and {Streams} do not reach each other",
        graph => new[] { (Api, Streams), (Streams, Api) }
            .Where(pair => graph.Reach(pair.Item1).Contains(pair.Item2))
            .Select(pair => $"{pair.Item1} reaches {pair.Item2} ({Path(graph, pair.Item1, pair.Item2)})"));

    /// <summary>Rule 4, first half.</summary>
    public static readonly Rule OnlyLocalComposesEverything = new(
        nameof(OnlyLocalComposesEverything),
        $"{Local} reaches every other project in src/, and no other project does",
        graph =>
        {
            var src = graph.In(ProjectGraph.Src).ToList();
            var breaches = src.Contains(Local)
                ? src.Where(p => p != Local && !graph.Reach(Local).Contains(p)).Select(p => $"{Local} does not reach {p}").ToList()
                : [$"{Local} is not a project of the graph"];
            breaches.AddRange(src.Where(p => p != Local && src.All(other => other == p || graph.Reach(p).Contains(other))).Select(p => $"{p} reaches every other project too"));
            return breaches;
        });

    /// <summary>Rule 4, second half.</summary>
    public static readonly Rule SrcReferencesNoTestOrBenchmark = new(
        nameof(SrcReferencesNoTestOrBenchmark),
        "no project in src/ references a project in tests/ or bench/",
        graph => graph.Arrows
            .Where(a => graph.FolderOf(a.From) == ProjectGraph.Src && graph.FolderOf(a.To) is "tests" or "bench")
            .Select(a => $"{a} ({graph.FolderOf(a.To)}/)"));

    /// <summary>Where tests live (the document's "tests/&lt;Project&gt;.Tests/ beside each source project").</summary>
    public static readonly Rule TestProjectsReferenceTheProjectTheyAreNamedFor = new(
        nameof(TestProjectsReferenceTheProjectTheyAreNamedFor),
        "every tests/X.Tests project for an existing src/X references src/X",
        graph =>
        {
            var src = graph.In(ProjectGraph.Src).ToHashSet(StringComparer.Ordinal);
            return graph.In("tests")
                .Where(t => t.EndsWith(".Tests", StringComparison.Ordinal) && src.Contains(t[..^".Tests".Length]))
                .Where(t => !graph.ReferencesOf(t).Contains(t[..^".Tests".Length]))
                .Select(t => $"{t} does not reference {t[..^".Tests".Length]}");
        });

    public static IReadOnlyList<Rule> All { get; } =
    [
        DomainAndLambdaReferenceNoProject,
        LambdaCodeNeverReachesTheTools,
        ApiAndStreamsDoNotKnowEachOther,
        OnlyLocalComposesEverything,
        SrcReferencesNoTestOrBenchmark,
        TestProjectsReferenceTheProjectTheyAreNamedFor,
    ];

    public static Rule Named(string name) => All.Single(r => r.Name == name);

    /// <summary>One chain of arrows from <paramref name="from"/> to <paramref name="to"/>, for the failure message.</summary>
    private static string Path(ProjectGraph graph, string from, string to)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var at) && at != to)
        {
            foreach (var next in graph.ReferencesOf(at).Where(n => n != from && !previous.ContainsKey(n)))
            {
                previous[next] = at;
                queue.Enqueue(next);
            }
        }

        var chain = new List<string> { to };
        while (chain[^1] != from)
        {
            chain.Add(previous[chain[^1]]);
        }

        chain.Reverse();
        return string.Join(" --> ", chain);
    }
}
