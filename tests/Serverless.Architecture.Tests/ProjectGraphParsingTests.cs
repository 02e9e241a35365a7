namespace Serverless.Architecture.Tests;

/// <summary>Reading a graph from a document's mermaid block and from .csproj files.</summary>
public sealed class ProjectGraphParsingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("project-graph-").FullName;

    [Fact]
    public void An_arrow_may_use_an_id_declared_on_another_line_even_a_later_one()
    {
        var graph = ProjectGraph.FromMermaid("""
            Text before.

            ```mermaid
            graph TD
                A --> B["Serverless.B"]
                A["Serverless.A"]
                B --> C["Serverless.C"] --> A
            ```

            ```mermaid
            graph TD
                X["Serverless.X"] --> A
            ```
            """);

        Assert.Equal(["Serverless.A", "Serverless.B", "Serverless.C"], graph.Projects.Order(StringComparer.Ordinal));
        Assert.Equal(
            [new Arrow("Serverless.A", "Serverless.B"), new Arrow("Serverless.B", "Serverless.C"), new Arrow("Serverless.C", "Serverless.A")],
            graph.Arrows.OrderBy(a => a.From, StringComparer.Ordinal));
        Assert.All(graph.Projects, p => Assert.Equal(ProjectGraph.Src, graph.FolderOf(p)));
    }

    [Fact]
    public void An_arrow_to_an_id_declared_nowhere_is_an_error_that_names_it()
    {
        var error = Assert.Throws<InvalidDataException>(() => ProjectGraph.FromMermaid("```mermaid\ngraph TD\n    A[\"Serverless.A\"] --> Nowhere\n```\n"));

        Assert.Contains("Nowhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_references_resolve_to_project_names_and_the_folders_they_sit_in()
    {
        var app = Project("src", "App", @"..\Lib\Lib.csproj", @"..\..\tests\Support\Support.csproj");
        var lib = Project("src", "Lib");
        var tests = Project("tests", "App.Tests", "../../src/App/App.csproj");

        var graph = ProjectGraph.FromProjectFiles(_root, [app, lib, tests]);

        Assert.Equal(
            [new Arrow("App", "Lib"), new Arrow("App", "Support"), new Arrow("App.Tests", "App")],
            graph.Arrows.OrderBy(a => a.ToString(), StringComparer.Ordinal));
        Assert.Equal(("src", "src", "tests", "tests"), (graph.FolderOf("App"), graph.FolderOf("Lib"), graph.FolderOf("Support"), graph.FolderOf("App.Tests")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Project(string folder, string name, params string[] references)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, folder, name)).FullName;
        var path = Path.Combine(directory, name + ".csproj");
        var items = string.Concat(references.Select(r => $"""<ProjectReference Include="{r}" />"""));
        File.WriteAllText(path, $"""<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>{items}</ItemGroup></Project>""");
        return path;
    }
}
