using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Serverless.Architecture.Tests;

/// <summary>An arrow of the graph: <see cref="From"/> has a ProjectReference to <see cref="To"/>.</summary>
public sealed record Arrow(string From, string To)
{
    public override string ToString() => $"{From} --> {To}";
}

/// <summary>
/// Projects (by project name, with the repository folder each sits in: "src", "tests", "bench") and the arrows
/// between them, read from .csproj files or from the mermaid block of docs/architecture.md. Immutable: the rules
/// read it, and a test derives a graph with one arrow more or less to see a rule fail.
/// </summary>
public sealed partial class ProjectGraph
{
    public const string Src = "src";

    private readonly Dictionary<string, string> _folders;

    public ProjectGraph(IReadOnlyDictionary<string, string> folders, IEnumerable<Arrow> arrows)
    {
        _folders = new Dictionary<string, string>(folders, StringComparer.Ordinal);
        Arrows = arrows.ToHashSet();
        foreach (var arrow in Arrows)
        {
            foreach (var end in new[] { arrow.From, arrow.To })
            {
                if (!_folders.ContainsKey(end))
                {
                    throw new ArgumentException($"The arrow {arrow} names {end}, which is not a project of the graph.", nameof(arrows));
                }
            }
        }
    }

    public IReadOnlyCollection<string> Projects => _folders.Keys;

    public IReadOnlySet<Arrow> Arrows { get; }

    /// <summary>The projects that sit in <paramref name="folder"/> ("src", "tests", "bench").</summary>
    public IEnumerable<string> In(string folder) => _folders.Where(p => p.Value == folder).Select(p => p.Key);

    public string FolderOf(string project) => _folders[project];

    /// <summary>The projects <paramref name="project"/> references, by name (so walks and messages are the same every run).</summary>
    public IEnumerable<string> ReferencesOf(string project) => Arrows.Where(a => a.From == project).Select(a => a.To).Order(StringComparer.Ordinal);

    /// <summary>Every project <paramref name="project"/> reaches through one arrow or more (itself only through a cycle).</summary>
    public IReadOnlySet<string> Reach(string project)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(ReferencesOf(project));
        while (pending.TryPop(out var next))
        {
            if (reached.Add(next))
            {
                foreach (var further in ReferencesOf(next))
                {
                    pending.Push(further);
                }
            }
        }

        return reached;
    }

    /// <summary>This graph with one arrow more; the folders place its ends that the graph lacks.</summary>
    public ProjectGraph With(Arrow arrow, string fromFolder = Src, string toFolder = Src)
    {
        var folders = new Dictionary<string, string>(_folders, StringComparer.Ordinal);
        folders.TryAdd(arrow.From, fromFolder);
        folders.TryAdd(arrow.To, toFolder);
        return new ProjectGraph(folders, Arrows.Append(arrow));
    }

    public ProjectGraph Without(Arrow arrow) =>
        Arrows.Contains(arrow)
            ? new ProjectGraph(_folders, Arrows.Where(a => a != arrow))
            : throw new ArgumentException($"The graph has no arrow {arrow}.", nameof(arrow));

    /// <summary>
    /// The graph of the given .csproj files: each is a project named after its file, in the folder of the repository
    /// it sits in, with an arrow per <c>ProjectReference</c> (its Include resolved against the project's directory).
    /// A referenced project outside the given files is a project of the graph too, placed by its path.
    /// </summary>
    public static ProjectGraph FromProjectFiles(string repoRoot, IEnumerable<string> projectFiles)
    {
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        var arrows = new List<Arrow>();
        foreach (var file in projectFiles)
        {
            var path = Path.GetFullPath(file);
            var name = Path.GetFileNameWithoutExtension(path);
            folders[name] = TopFolder(repoRoot, path);
            foreach (var include in XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "ProjectReference").Select(e => (string?)e.Attribute("Include")))
            {
                if (string.IsNullOrWhiteSpace(include))
                {
                    throw new InvalidDataException($"{path}: a ProjectReference without Include.");
                }

                // MSBuild writes Windows separators; resolve them on any OS.
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, include.Replace('\\', Path.DirectorySeparatorChar)));
                var targetName = Path.GetFileNameWithoutExtension(target);
                folders.TryAdd(targetName, TopFolder(repoRoot, target));
                arrows.Add(new Arrow(name, targetName));
            }
        }

        return new ProjectGraph(folders, arrows);
    }

    /// <summary>
    /// The graph drawn by the first mermaid block of a markdown text: nodes declared <c>Id["Serverless.X"]</c> (on any line,
    /// before or after the arrows that use the id), arrows <c>A --> B</c>, possibly chained. Every node is a project in src/,
    /// as the document says of its arrows.
    /// </summary>
    public static ProjectGraph FromMermaid(string markdown)
    {
        var block = MermaidBlock().Match(markdown);
        if (!block.Success)
        {
            throw new InvalidDataException("No ```mermaid block found.");
        }

        var lines = block.Groups["body"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("%%", StringComparison.Ordinal)).ToList();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match declaration in lines.SelectMany(l => NodeDeclaration().Matches(l)))
        {
            var (id, name) = (declaration.Groups["id"].Value, declaration.Groups["name"].Value);
            if (names.TryGetValue(id, out var earlier) && earlier != name)
            {
                throw new InvalidDataException($"The id {id} is declared as both {earlier} and {name}.");
            }

            names[id] = name;
        }

        var arrows = new List<Arrow>();
        foreach (var line in lines.Where(l => l.Contains("-->", StringComparison.Ordinal)))
        {
            var ids = line.Split("-->").Select(part => NodeReference().Match(part.Trim())).ToList();
            if (ids.Any(m => !m.Success))
            {
                throw new InvalidDataException($"Not an arrow between nodes: '{line}'.");
            }

            for (var i = 1; i < ids.Count; i++)
            {
                arrows.Add(new Arrow(NameOf(ids[i - 1].Groups["id"].Value, line), NameOf(ids[i].Groups["id"].Value, line)));
            }
        }

        return new ProjectGraph(names.Values.Distinct().ToDictionary(n => n, _ => Src, StringComparer.Ordinal), arrows);

        string NameOf(string id, string line) =>
            names.TryGetValue(id, out var name) ? name : throw new InvalidDataException($"'{line}': the id {id} is declared nowhere (Id[\"Serverless.X\"]).");
    }

    private static string TopFolder(string repoRoot, string path)
    {
        var relative = Path.GetRelativePath(repoRoot, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? throw new InvalidDataException($"{path} is outside the repository {repoRoot}.")
            : relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
    }

    [GeneratedRegex(@"```mermaid[^\n]*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MermaidBlock();

    [GeneratedRegex(@"(?<id>[A-Za-z_][A-Za-z0-9_]*)\[""(?<name>[^""]+)""\]")]
    private static partial Regex NodeDeclaration();

    [GeneratedRegex(@"^(?<id>[A-Za-z_][A-Za-z0-9_]*)(\[""[^""]+""\])?$")]
    private static partial Regex NodeReference();
}
