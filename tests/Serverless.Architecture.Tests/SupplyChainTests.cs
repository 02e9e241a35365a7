using System.Text.Json;
using Serverless.Testing;
using Xunit;

namespace Serverless.Architecture.Tests;

/// <summary>Every package the build uses is pinned, hashes included, and CI refuses a graph the lock files do not describe.</summary>
public sealed class SupplyChainTests
{
    private static IEnumerable<string> Projects() =>
        new[] { "src", "tests", "bench" }
            .Where(folder => Directory.Exists(RepoPaths.Of(folder)))
            .SelectMany(folder => Directory.GetDirectories(RepoPaths.Of(folder)))
            .SelectMany(project => Directory.GetFiles(project, "*.csproj"));

    [Fact]
    public void Every_project_has_a_lock_file_whose_packages_carry_a_content_hash()
    {
        var projects = Projects().ToList();
        Assert.NotEmpty(projects);
        foreach (var project in projects)
        {
            var lockFile = Path.Combine(Path.GetDirectoryName(project)!, "packages.lock.json");
            Assert.True(File.Exists(lockFile), $"{Path.GetRelativePath(RepoPaths.Root(), project)} has no packages.lock.json: run dotnet restore and commit it.");
            using var json = JsonDocument.Parse(File.ReadAllText(lockFile));
            foreach (var framework in json.RootElement.GetProperty("dependencies").EnumerateObject())
            {
                foreach (var package in framework.Value.EnumerateObject())
                {
                    var type = package.Value.GetProperty("type").GetString();
                    if (type is "Direct" or "Transitive" or "CentralTransitive")
                    {
                        Assert.True(
                            package.Value.TryGetProperty("contentHash", out var hash) && hash.GetString() is { Length: > 0 },
                            $"{package.Name} in {Path.GetRelativePath(RepoPaths.Root(), lockFile)} ({framework.Name}) has no content hash.");
                    }
                }
            }
        }
    }

    [Fact]
    public void The_lambda_executables_projects_pin_both_runtimes_it_is_published_for()
    {
        var functions = File.ReadAllText(RepoPaths.Of("src", "Serverless.Functions", "packages.lock.json"));
        using var json = JsonDocument.Parse(functions);
        var targets = json.RootElement.GetProperty("dependencies").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("net10.0/linux-x64", targets);
        Assert.Contains("net10.0/linux-arm64", targets);
        // Native AOT is the project's own setting, so its compiler is in the pinned graph (and no publish passes it).
        Assert.Contains("\"Microsoft.DotNet.ILCompiler\"", functions, StringComparison.Ordinal);
        Assert.Contains("<PublishAot>true</PublishAot>", File.ReadAllText(RepoPaths.Of("src", "Serverless.Functions", "Serverless.Functions.csproj")), StringComparison.Ordinal);
    }

    [Fact]
    public void CI_restores_in_locked_mode_before_it_builds_anything()
    {
        var ci = File.ReadAllLines(RepoPaths.Of(".ci", "run"));
        var locked = Array.FindIndex(ci, l => l.Contains("dotnet restore --locked-mode", StringComparison.Ordinal));
        var firstBuild = Array.FindIndex(ci, l => l.Contains("aot-check", StringComparison.Ordinal) || l.TrimStart().StartsWith("dotnet test", StringComparison.Ordinal));

        Assert.True(locked >= 0, ".ci/run does not restore with --locked-mode");
        Assert.True(locked < firstBuild, ".ci/run builds before its locked restore");
        Assert.Contains(ci, l => l.Trim() == "export RestoreLockedMode=true");
    }
}
