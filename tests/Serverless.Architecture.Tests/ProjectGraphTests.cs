using Serverless.Testing;
using static Serverless.Architecture.Tests.ArchitectureRules;

namespace Serverless.Architecture.Tests;

/// <summary>
/// docs/architecture.md is the rule for which project may reference which: the code's ProjectReferences must be the
/// document's arrows, both ways, and must keep the rules listed under the graph.
/// </summary>
public sealed class ProjectGraphTests
{
    private const string Document = "docs/architecture.md";

    /// <summary>Every project of src/ and tests/, with its references.</summary>
    private static readonly ProjectGraph Code = ProjectGraph.FromProjectFiles(
        RepoPaths.Root(),
        new[] { "src", "tests" }.SelectMany(folder => Directory.GetDirectories(RepoPaths.Of(folder)).SelectMany(project => Directory.GetFiles(project, "*.csproj"))));

    private static readonly ProjectGraph Documented = ProjectGraph.FromMermaid(File.ReadAllText(RepoPaths.Of(Document)));

    public static TheoryData<string> RuleNames() => [.. All.Select(r => r.Name)];

    [Fact]
    public void The_code_has_exactly_the_arrows_and_projects_the_document_draws()
    {
        var differences = Differences(Code, Documented);

        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    [Fact]
    public void An_arrow_or_project_on_one_side_only_is_named_with_its_side()
    {
        var code = Documented.With(new Arrow(Functions, Tools)).With(new Arrow(Local, "Serverless.Extra")).Without(new Arrow(Streams, Lambda));

        Assert.Equal(
            [
                $"a project of src/ that {Document} does not draw: Serverless.Extra",
                $"in {Document}, not in the code: Serverless.Streams --> Serverless.Lambda",
                $"in the code, not in {Document}: Serverless.Functions --> Serverless.Data.Tools",
                $"in the code, not in {Document}: Serverless.Local --> Serverless.Extra",
            ],
            Differences(code, Documented));
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void The_code_keeps_the_rule(string rule)
    {
        var breaches = Named(rule).Breaches(Code).ToList();

        Assert.True(breaches.Count == 0, $"{Named(rule).Says}, but:\n" + string.Join('\n', breaches));
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void The_documented_graph_keeps_the_rule(string rule) => Assert.Empty(Named(rule).Breaches(Documented));

    /// <summary>What differs between the arrows (and projects) of src/ in the code and in the document, sorted.</summary>
    private static List<string> Differences(ProjectGraph code, ProjectGraph documented)
    {
        var codeArrows = code.Arrows.Where(a => code.FolderOf(a.From) == ProjectGraph.Src).ToHashSet();
        var codeProjects = code.In(ProjectGraph.Src).ToHashSet(StringComparer.Ordinal);
        var differences = new List<string>();
        differences.AddRange(codeArrows.Except(documented.Arrows).Select(a => $"in the code, not in {Document}: {a}"));
        differences.AddRange(documented.Arrows.Except(codeArrows).Select(a => $"in {Document}, not in the code: {a}"));
        differences.AddRange(codeProjects.Except(documented.Projects).Select(p => $"a project of src/ that {Document} does not draw: {p}"));
        differences.AddRange(documented.Projects.Except(codeProjects).Select(p => $"drawn in {Document}, not a project of src/: {p}"));
        return [.. differences.Order(StringComparer.Ordinal)];
    }

    /// <summary>A rule that cannot fail proves nothing: each one, handed the documented graph plus one forbidden arrow.</summary>
    public static TheoryData<string, string, string, string> ForbiddenArrows() => new()
    {
        { nameof(DomainAndLambdaReferenceNoProject), Domain, Data, "Serverless.Domain references Serverless.Data" },
        { nameof(DomainAndLambdaReferenceNoProject), Lambda, Domain, "Serverless.Lambda references Serverless.Domain" },
        { nameof(LambdaCodeNeverReachesTheTools), Functions, Tools, "Serverless.Functions reaches Serverless.Data.Tools (Serverless.Functions --> Serverless.Data.Tools)" },
        { nameof(LambdaCodeNeverReachesTheTools), Data, DynamoDbLocal, "Serverless.Functions reaches Serverless.DynamoDbLocal (Serverless.Functions --> Serverless.Api --> Serverless.Data --> Serverless.DynamoDbLocal)" },
        { nameof(LambdaCodeNeverReachesTheTools), Streams, Local, "Serverless.Functions reaches Serverless.Local (Serverless.Functions --> Serverless.Streams --> Serverless.Local)" },
        { nameof(ApiAndStreamsDoNotKnowEachOther), Api, Streams, "Serverless.Api reaches Serverless.Streams (Serverless.Api --> Serverless.Streams)" },
        { nameof(ApiAndStreamsDoNotKnowEachOther), Streams, Api, "Serverless.Streams reaches Serverless.Api (Serverless.Streams --> Serverless.Api)" },
        { nameof(ApiAndStreamsDoNotKnowEachOther), Api, Functions, "Serverless.Api reaches Serverless.Streams (Serverless.Api --> Serverless.Functions --> Serverless.Streams)" },
        { nameof(OnlyLocalComposesEverything), Functions, Local, "Serverless.Functions reaches every other project too" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenArrows))]
    public void A_forbidden_arrow_breaks_the_rule_and_is_named(string rule, string from, string to, string breach)
    {
        var graph = Documented.With(new Arrow(from, to));

        Assert.Contains(breach, Named(rule).Breaches(graph));
    }

    [Theory]
    [InlineData("tests", "Serverless.Testing")]
    [InlineData("bench", "Serverless.Bench")]
    public void A_src_project_referencing_a_test_or_benchmark_project_breaks_the_rule(string folder, string project)
    {
        var graph = Documented.With(new Arrow(Data, project), toFolder: folder);

        Assert.Equal([$"Serverless.Data --> {project} ({folder}/)"], SrcReferencesNoTestOrBenchmark.Breaches(graph));
    }

    [Fact]
    public void Local_not_reaching_a_project_breaks_the_composition_rule()
    {
        var graph = Documented.Without(new Arrow(Local, Tools));

        Assert.Equal(["Serverless.Local does not reach Serverless.Data.Tools"], OnlyLocalComposesEverything.Breaches(graph));
    }

    [Fact]
    public void A_test_project_that_does_not_reference_the_project_it_is_named_for_breaks_the_rule()
    {
        var graph = Documented
            .With(new Arrow("Serverless.Data.Tests", "Serverless.Testing"), fromFolder: "tests", toFolder: "tests")
            .With(new Arrow("Serverless.Testing", Data))
            .With(new Arrow("Serverless.Architecture.Tests", "Serverless.Testing"), fromFolder: "tests");

        // Reaching Serverless.Data through the support project is not referencing it; a tests project with no src/ twin is free.
        Assert.Equal(["Serverless.Data.Tests does not reference Serverless.Data"], TestProjectsReferenceTheProjectTheyAreNamedFor.Breaches(graph));
        Assert.Empty(TestProjectsReferenceTheProjectTheyAreNamedFor.Breaches(graph.With(new Arrow("Serverless.Data.Tests", Data))));
    }

    [Fact]
    public void The_document_lists_the_four_rules_that_are_checked()
    {
        var numbered = File.ReadAllLines(RepoPaths.Of(Document)).Where(l => l.Length > 3 && char.IsAsciiDigit(l[0]) && l[1..].StartsWith(". **", StringComparison.Ordinal)).ToList();

        Assert.True(numbered.Count == 4, $"{Document} lists {numbered.Count} rules; {nameof(ArchitectureRules)} checks rules 1 to 4: a new rule needs its check.");
    }
}
