using System.Diagnostics;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Auth;
using Serverless.DynamoDbLocal;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Readme;

/// <summary>
/// The README's two set-up commands, taken from the README's own text and run as written: the first as a child
/// process from the repository root, exactly as a newcomer types it; the second is this very test run, so what is
/// checked is that CI (<c>.ci/run</c>) runs it unchanged.
/// </summary>
public sealed partial class ReadmeCommandTests
{
    private const int ApiPort = 3000;
    private const int DynamoDbPort = 8000;

    /// <summary>
    /// Options <c>.ci/run</c> may add to the README's test command: each only reports results or stops a hung test
    /// host. Anything else (a filter, a project, a configuration, --no-build) would make CI run something other
    /// than what the README tells a developer to run.
    /// </summary>
    private static readonly HashSet<string> ReportingOptions = new(StringComparer.Ordinal)
    {
        "--logger", "--results-directory", "--blame-hang-timeout", "--blame-hang-dump-type",
    };

    private static readonly string[] ControlOperators = ["&&", "||", ";", "|", "&"];

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The scratch database folders (<c>scratch/PID-N</c> under each DynamoDB Local version of the cache) made by these processes.</summary>
    private static List<string> ScratchFoldersOf(IReadOnlyList<int> processes)
    {
        var cache = DynamoDbLocalOptions.DefaultCacheDirectory();
        return !Directory.Exists(cache)
            ? []
            : Directory.GetDirectories(cache)
                .Select(version => Path.Combine(version, "scratch"))
                .Where(Directory.Exists)
                .SelectMany(Directory.GetDirectories)
                .Where(folder => processes.Any(pid => Path.GetFileName(folder).StartsWith($"{pid}-", StringComparison.Ordinal)))
                .ToList();
    }

    [Fact]
    public void The_readme_opens_with_exactly_two_set_up_commands_the_local_stack_and_the_tests()
    {
        var commands = Readme.SetUpCommands();

        Assert.Equal(2, commands.Count);
        Assert.StartsWith("dotnet run ", commands[0], StringComparison.Ordinal);
        Assert.StartsWith("dotnet test", commands[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readmes_first_command_as_written_serves_health_on_3000_with_the_stream_functions_running_and_stops_on_ctrl_c()
    {
        var ct = TestContext.Current.CancellationToken;
        var command = Readme.SetUpCommands()[0];
        foreach (var port in new[] { ApiPort, DynamoDbPort })
        {
            Assert.False(await IsListeningAsync(port), $"port {port} is already in use (a local stack still running?): this test runs the README's command, which needs it.");
        }

        var psi = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = RepoPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        // A fresh shell: the README's defaults, not the endpoint or table a test run may have been pointed at.
        psi.Environment.Remove(DynamoDbLocalOptions.EndpointVariable);
        psi.Environment.Remove(LocalStack.TableNameVariable);

        using var shell = Process.Start(psi)!;
        var output = new OutputLog(shell);
        IReadOnlyList<int> tree = [];
        try
        {
            // The first 'dotnet run' may build the project: a generous deadline.
            var ready = await output.WaitForAsync(ReadyLine(), TimeSpan.FromMinutes(10), ct);
            Assert.Equal(new Uri($"http://127.0.0.1:{ApiPort}/"), new Uri(ready.Groups["api"].Value));
            Assert.Equal(new Uri($"http://127.0.0.1:{DynamoDbPort}/"), new Uri(ready.Groups["dynamodb"].Value));

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}/") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health", ct)).StatusCode);

            // Every enabled stream function of the template runs, and the table's stream reaches them.
            var expected = (await SamTemplateLoader.LoadFileAsync(RepoPaths.Of("template.yaml"), ct: ct)).Where(s => s.Enabled).Select(s => s.FunctionName).Order(StringComparer.Ordinal);
            Assert.Equal(expected, ready.Groups["functions"].Value.Split(", ").Order(StringComparer.Ordinal));
            await AssertAuditedAsync(http, ct);

            // The README names the API's reference page on this stack.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ReferencePage().Match(Readme.Text).Value, ct)).StatusCode);

            tree = ProcessTree.Of(shell.Id);
            // DynamoDB Local keeps the stack's data in a scratch database of the stack's own, not in memory.
            Assert.Single(ScratchFoldersOf(tree));
            await ProcessTree.InterruptAsync(tree);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stopping.CancelAfter(TimeSpan.FromSeconds(60));
            await shell.WaitForExitAsync(stopping.Token);
            await Eventually.WaitUntilAsync(
                () => tree.All(pid => !ProcessTree.IsAlive(pid)), "every process the command started exited after Ctrl+C", ct, TimeSpan.FromSeconds(30), PollInterval);
            // DynamoDB Local's scratch database went with it.
            Assert.Empty(ScratchFoldersOf(tree));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"'{command}' did not stop within 60 s of Ctrl+C:\n{output}");
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"'{command}': {e.Message}\n{output}");
        }
        finally
        {
            StopLeftovers(shell, tree);
        }

        Assert.True(tree.All(pid => !ProcessTree.IsAlive(pid)), $"processes left running after Ctrl+C:\n{output}");
        foreach (var port in new[] { ApiPort, DynamoDbPort })
        {
            Assert.False(await IsListeningAsync(port), $"something still listens on port {port} after Ctrl+C:\n{output}");
        }
    }

    [Fact]
    public void Ci_runs_the_readmes_test_command_unchanged()
    {
        var readme = ShellWords.Split(Readme.SetUpCommands()[1]);
        var script = RepoPaths.Of(".ci", "run");

        var runs = SimpleCommands(File.ReadAllText(script)).Where(words => words.Take(readme.Count).SequenceEqual(readme)).ToList();

        var run = Assert.Single(runs);
        var extra = run.Skip(readme.Count).ToList();
        for (var i = 0; i < extra.Count; i++)
        {
            var option = extra[i].Split('=', 2)[0];
            Assert.True(
                ReportingOptions.Contains(option),
                $".ci/run adds '{extra[i]}' to the README's '{string.Join(' ', readme)}': only reporting options ({string.Join(", ", ReportingOptions)}) may follow it, so CI runs what the README says.");
            if (!extra[i].Contains('=', StringComparison.Ordinal))
            {
                i++;
                Assert.True(i < extra.Count, $"{option} in .ci/run has no value.");
            }
        }
    }

    [Fact]
    public void Every_cli_command_line_in_the_readme_parses_without_a_usage_error()
    {
        var lines = CliLine().Matches(Readme.Text).Select(m => m.Groups["args"].Value.Trim()).ToList();

        Assert.Contains(lines, line => line.StartsWith("token", StringComparison.Ordinal));
        Assert.All(lines, line =>
        {
            var parse = CommandLine.CreateRoot().Parse([.. ShellWords.Split(line)]);
            Assert.True(parse.Errors.Count == 0, $"README: '-- {line}': {string.Join(" ", parse.Errors.Select(e => e.Message))}");
        });
    }

    [Fact]
    public void The_readme_names_the_api_reference_page_of_the_local_stack()
    {
        Assert.Matches(ReferencePage(), Readme.Text);
    }

    /// <summary>A write through the API comes back as an audit entry, which only the audit stream function writes.</summary>
    private static async Task AssertAuditedAsync(HttpClient http, CancellationToken ct)
    {
        var token = DevAuth.CreateToken("readme-test", [Scopes.Read, Scopes.Write, Scopes.Admin], TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await http.PostAsJsonAsync("products", new { name = "Readme Widget", price = 1.50m }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString();
        await Eventually.WaitUntilAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>($"audit/Product/{id}", ct)).GetProperty("items").GetArrayLength() > 0,
            "the product's INSERT reached the audit function",
            ct,
            TimeSpan.FromSeconds(60),
            PollInterval);
    }

    /// <summary>The commands of a shell script, each as its words: continuation lines joined, split at control operators.</summary>
    private static IEnumerable<IReadOnlyList<string>> SimpleCommands(string script)
    {
        foreach (var line in script.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
        {
            var words = ShellWords.Split(line);
            var start = 0;
            for (var i = 0; i <= words.Count; i++)
            {
                if (i == words.Count || ControlOperators.Contains(words[i]))
                {
                    if (i > start)
                    {
                        yield return words.Skip(start).Take(i - start).ToList();
                    }

                    start = i + 1;
                }
            }
        }
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Whatever of the command is still running after the test (it failed midway): killed, so no port stays taken.</summary>
    private static void StopLeftovers(Process shell, IReadOnlyList<int> tree)
    {
        if (!shell.HasExited)
        {
            shell.Kill(entireProcessTree: true);
            shell.WaitForExit(TimeSpan.FromSeconds(30));
        }

        foreach (var pid in tree.Where(ProcessTree.IsAlive))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }

    [GeneratedRegex(@"Local stack ready\. API: (?<api>http://[^ ]+) .* DynamoDB: (?<dynamodb>http://[^ ]+) table \S+ \| stream functions: (?<functions>[A-Za-z0-9, ]+) \|")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"http://127\.0\.0\.1:3000/scalar\b")]
    private static partial Regex ReferencePage();

    [GeneratedRegex(@"dotnet run --project src/Serverless\.Local -- (?<args>[^`\n]+)")]
    private static partial Regex CliLine();

    /// <summary>Both output streams of a child process, line by line, kept for the failure message.</summary>
    private sealed class OutputLog
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly Process _process;

        public OutputLog(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public async Task<Match> WaitForAsync(Regex pattern, TimeSpan timeout, CancellationToken ct)
        {
            var ready = await Eventually.UntilAsync(
                () => Task.FromResult(_lines.Select(line => pattern.Match(line)).FirstOrDefault(m => m.Success) ?? ExitedBeforeReady()),
                match => match is not null,
                "the command printed that it was ready",
                ct,
                timeout,
                TimeSpan.FromMilliseconds(200),
                _ => "output so far:\n" + this);
            return ready!;
        }

        private Match? ExitedBeforeReady() => _process.HasExited
            ? throw new Xunit.Sdk.XunitException($"the command exited with code {_process.ExitCode} before it was ready:\n{this}")
            : null;

        public override string ToString() => string.Join('\n', _lines);

        private void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
            }
        }
    }
}
