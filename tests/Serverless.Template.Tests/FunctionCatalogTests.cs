using Serverless.Functions;

namespace Serverless.Template.Tests;

/// <summary>Every function of the template is one the executable can run, built the way sam build builds it.</summary>
public sealed class FunctionCatalogTests
{
    private static readonly SamTemplate Template = SamTemplate.Load();

    [Fact]
    public void Every_function_in_the_template_runs_a_handler_the_executable_dispatches()
    {
        var functions = Template.Functions();
        Assert.NotEmpty(functions);
        var unknown = functions.Where(f => f.Handler is null || !FunctionCatalog.Registry.Contains(f.Handler))
            .Select(f => $"{f.LogicalId} (Handler '{f.Handler}')")
            .ToList();
        Assert.True(unknown.Count == 0,
            $"Functions whose Handler FunctionCatalog.Registry does not know: {string.Join(", ", unknown)}. "
            + $"The registry has: {string.Join(", ", FunctionCatalog.Registry.Names.Order(StringComparer.Ordinal))}.");
    }

    [Fact]
    public void Every_handler_the_executable_dispatches_is_deployed_by_a_function_of_the_template()
    {
        var deployed = Template.Functions().Select(f => f.Handler).ToHashSet(StringComparer.Ordinal);
        var missing = FunctionCatalog.Registry.Names.Where(name => !deployed.Contains(name)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"Handlers with no function in template.yaml: {string.Join(", ", missing)}.");
    }

    [Fact]
    public void Every_function_is_the_native_bootstrap_on_provided_al2023_built_by_the_makefile()
    {
        var makefile = File.ReadAllText(RepoPaths.Of("Makefile"));
        foreach (var function in Template.Functions())
        {
            Assert.Equal("provided.al2023", function.Runtime);
            Assert.Equal("makefile", function.BuildMethod);
            // sam build calls the target build-<LogicalId>; the Makefile lists them in FUNCTIONS.
            Assert.Matches(@"(?m)^FUNCTIONS\s*:=.*\b" + function.LogicalId + @"\b", makefile);
        }
    }

    [Theory]
    [InlineData("x86_64", "linux-x64")]
    [InlineData("arm64", "linux-arm64")]
    public async Task Each_makefile_target_publishes_the_aot_bootstrap_into_the_artifacts_dir(string arch, string runtimeIdentifier)
    {
        var make = Executables.FindOnPath("make");
        if (make is null)
        {
            Assert.Skip("make is not installed on this machine; the Makefile's recipes were not checked.");
        }

        foreach (var function in Template.Functions())
        {
            // -n prints the recipe without running it (a real publish takes minutes).
            var recipe = await Executables.RunInRepositoryAsync(
                make, ["-n", "build-" + function.LogicalId, "ARTIFACTS_DIR=/tmp/artifacts-" + function.LogicalId, "ARCH=" + arch], TestContext.Current.CancellationToken);
            Assert.True(recipe.ExitCode == 0, $"make -n build-{function.LogicalId} exit {recipe.ExitCode}:\n{recipe.Output}{recipe.Errors}");

            var publish = Assert.Single(recipe.Output.Split('\n'), line => line.StartsWith("dotnet publish", StringComparison.Ordinal));
            Assert.Contains("src/Serverless.Functions/Serverless.Functions.csproj", publish, StringComparison.Ordinal);
            Assert.Contains("-c Release", publish, StringComparison.Ordinal);
            Assert.Contains("-r " + runtimeIdentifier, publish, StringComparison.Ordinal);
            // Native AOT comes from the project itself (its PublishAot), as its lock files pin it: the recipe must not
            // pass PublishAot, which would change every referenced project's package graph under a locked restore.
            Assert.DoesNotContain("PublishAot", publish, StringComparison.Ordinal);
            Assert.Contains("-o \"/tmp/artifacts-" + function.LogicalId + "\"", publish, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_executable_is_named_bootstrap_as_the_custom_runtime_requires()
    {
        var project = File.ReadAllText(RepoPaths.Of("src", "Serverless.Functions", "Serverless.Functions.csproj"));
        Assert.Contains("<AssemblyName>bootstrap</AssemblyName>", project, StringComparison.Ordinal);
    }
}
