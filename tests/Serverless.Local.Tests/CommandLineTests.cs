using System.CommandLine;
using System.Text.RegularExpressions;
using Serverless.Local.Tests.Support;
using Xunit;

namespace Serverless.Local.Tests;

/// <summary>The CLI's conventions, over every command of the real root: usage on --help, one line on a bad argument.</summary>
public sealed class CommandLineTests
{
    /// <summary>Every runnable command; <see cref="Every_command_of_the_cli_is_in_these_tests"/> keeps it complete.</summary>
    public static TheoryData<string> Commands() =>
        ["serve", "invoke", "token", "seed", "migrate up", "migrate down", "migrate status", "rotate-keys", "stats", "sweep"];

    /// <summary>One bad argument per command: each is refused before anything is started or written.</summary>
    public static TheoryData<string, string> BadArguments() => new()
    {
        { "serve", "--api-port abc" },
        { "invoke", "ApiFunction" },
        { "token", "--scopes data.everything" },
        { "seed", "--scenario huge" },
        { "migrate up", "--segments 0" },
        { "migrate down", "--segments 1001" },
        { "migrate status", "--endpoint not-a-url" },
        { "rotate-keys", "--segments 0" },
        { "stats", "--endpoint not-a-url" },
        { "sweep", "--as-of someday" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_of_every_command_prints_its_usage_and_exits_0(string command)
    {
        var result = await Cli.RunRootAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Matches(new Regex($@"Usage:\n +\S+ {command}[ \n]"), result.Output);
        Assert.Contains("Options:", result.Output, StringComparison.Ordinal);
        if (command != "token")
        {
            // Every command that reaches DynamoDB says how it finds it.
            Assert.Contains("DYNAMODB_ENDPOINT", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_root_help_lists_every_command()
    {
        var root = await Cli.RunRootAsync("--help");
        var migrate = await Cli.RunRootAsync("migrate", "--help");

        Assert.Equal((0, 0), (root.ExitCode, migrate.ExitCode));
        foreach (var command in new[] { "serve", "invoke", "token", "seed", "migrate", "rotate-keys", "stats", "sweep" })
        {
            Assert.Matches(new Regex($@"\n  {command} "), root.Output);
        }

        foreach (var subcommand in new[] { "up", "down", "status" })
        {
            Assert.Matches(new Regex($@"\n  {subcommand} "), migrate.Output);
        }
    }

    [Fact]
    public void The_bare_command_parses_as_serve_with_serves_defaults()
    {
        var root = CommandLine.CreateRoot();
        var serve = root.Subcommands.Single(c => c.Name == "serve");

        var bare = root.Parse([]);
        var named = root.Parse(["serve"]);

        Assert.Empty(bare.Errors);
        Assert.Equal(serve.Options.Select(o => o.Name), root.Options.Select(o => o.Name).Intersect(serve.Options.Select(o => o.Name)));
        foreach (var option in new[] { "--dynamodb-port", "--api-port" })
        {
            Assert.Equal(named.GetValue<int>(option), bare.GetValue<int>(option));
        }

        Assert.Null(bare.GetValue<int?>("--sweep-seconds"));
        Assert.Null(named.GetValue<int?>("--sweep-seconds"));
        Assert.False(bare.GetValue<bool>("--in-memory"));

        Assert.Equal((8000, 3000), (bare.GetValue<int>("--dynamodb-port"), bare.GetValue<int>("--api-port")));
        Assert.Equal("template.yaml", bare.GetValue<string>("--template"));
        Assert.Null(bare.GetValue<string?>("--data"));
        Assert.NotNull(bare.Action);
    }

    [Fact]
    public void The_sweeper_runs_by_default_only_against_a_DynamoDB_the_stack_did_not_start()
    {
        var defaults = new LocalStackOptions();

        Assert.Equal(TimeSpan.Zero, defaults.SweepEvery(dynamoDbOwned: true));
        Assert.Equal(LocalStackOptions.ExternalSweepInterval, defaults.SweepEvery(dynamoDbOwned: false));
        Assert.Equal(TimeSpan.FromSeconds(5), (defaults with { SweepInterval = TimeSpan.FromSeconds(5) }).SweepEvery(dynamoDbOwned: true));
        Assert.Equal(TimeSpan.Zero, (defaults with { SweepInterval = TimeSpan.Zero }).SweepEvery(dynamoDbOwned: false));
    }

    [Fact]
    public async Task Serve_refuses_a_kept_folder_and_memory_at_once_before_starting_anything()
    {
        var result = await Cli.RunRootAsync("serve", "--data", Path.Combine(Path.GetTempPath(), "never-made-" + Guid.NewGuid().ToString("N")), "--in-memory", "--dynamodb-port", "0", "--api-port", "0");

        Assert.Equal(CommandLine.Failure, result.ExitCode);
        Assert.Equal("error: serve: --data keeps the data in a folder and --in-memory holds it in memory: choose one.", result.Error.Trim());
    }

    [Fact]
    public async Task Serve_stopped_while_it_starts_says_so_in_one_line_and_exits_0()
    {
        // Stopped while DynamoDB Local is still starting (a JVM takes seconds): Ctrl+C is serve's normal way out.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromMilliseconds(300));

        var result = await Cli.RunRootAsync(stop.Token, "serve", "--dynamodb-port", "0", "--api-port", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("serve: stopped before the stack was ready.", result.Error.Trim().Split('\n')[^1]);
        Assert.DoesNotContain("error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_root_help_shows_the_serve_options_the_bare_command_takes()
    {
        var root = await Cli.RunRootAsync("--help");

        Assert.Equal(0, root.ExitCode);
        foreach (var option in new[] { "--dynamodb-port", "--api-port", "--data", "--in-memory", "--template", "--sweep-seconds" })
        {
            Assert.Contains(option, root.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_command_of_the_cli_is_in_these_tests()
    {
        static IEnumerable<string> Leaves(Command command, string path) => command.Subcommands.Count == 0
            ? [path]
            : command.Subcommands.SelectMany(c => Leaves(c, (path + " " + c.Name).Trim()));

        var commands = Leaves(CommandLine.CreateRoot(), "").Order(StringComparer.Ordinal);

        Assert.Equal(Commands().Select(row => row.Data).Order(StringComparer.Ordinal), commands);
        Assert.Equal(Commands().Select(row => row.Data).Order(StringComparer.Ordinal), BadArguments().Select(row => row.Data.Item1).Order(StringComparer.Ordinal));
    }

    /// <summary>Every command that works on a table someone else runs (all take --endpoint).</summary>
    public static TheoryData<string> DataCommands() =>
        ["seed --scenario single", "migrate up", "migrate up --dry-run", "migrate down", "migrate status", "rotate-keys", "rotate-keys --dry-run", "stats", "sweep"];

    [Theory]
    [MemberData(nameof(DataCommands))]
    public async Task A_data_command_against_a_closed_port_says_in_one_line_which_endpoint_it_cannot_reach_and_how_to_fix_it(string command)
    {
        var endpoint = ClosedPort.Endpoint();

        var result = await Cli.RunRootAsync([.. command.Split(' '), "--endpoint", endpoint.ToString()]);

        Assert.Equal(CommandLine.Failure, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        var name = string.Join(' ', command.Split(' ').TakeWhile(word => !word.StartsWith('-')));
        Assert.StartsWith($"error: {name}: cannot reach DynamoDB at {endpoint} (connection refused); ", line, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project src/Serverless.Local", line, StringComparison.Ordinal);
        Assert.Contains("--endpoint", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task A_bad_argument_exits_non_zero_with_exactly_one_line_on_stderr(string command, string arguments)
    {
        var result = await Cli.RunRootAsync([.. command.Split(' '), .. arguments.Split(' ')]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.EndsWith("\n", result.Error, StringComparison.Ordinal);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }
}

/// <summary>Unsets DYNAMODB_ENDPOINT, which is process-wide: runs in the assembly's non-parallel collection.</summary>
[Collection(typeof(Serverless.Local.Tests.DynamoDbLocal.EnvironmentChangingTests))]
public sealed class NoEndpointTests
{
    [Theory]
    [MemberData(nameof(CommandLineTests.DataCommands), MemberType = typeof(CommandLineTests))]
    public async Task Without_an_endpoint_a_data_command_names_itself_once_and_says_how_to_give_one(string command)
    {
        using var endpoint = new EnvironmentVariable(Serverless.DynamoDbLocal.DynamoDbLocalOptions.EndpointVariable, null);

        var result = await Cli.RunRootAsync(command.Split(' '));

        Assert.Equal(CommandLine.Failure, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        var name = string.Join(' ', command.Split(' ').TakeWhile(word => !word.StartsWith('-')));
        Assert.StartsWith($"error: {name}: ", line, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(line, $@"\b{name}\b"));
        Assert.Contains("--endpoint", line, StringComparison.Ordinal);
        Assert.Contains("DYNAMODB_ENDPOINT", line, StringComparison.Ordinal);
    }
}

/// <summary>The commands that read or change a table's items: a table name that names nothing is an error, not a new table.</summary>
public sealed class MissingTableTests(Serverless.Testing.DynamoDbLocalFixture fixture)
{
    public static TheoryData<string> TableReadingCommands() =>
        ["migrate up", "migrate up --dry-run", "migrate down", "migrate status", "rotate-keys", "rotate-keys --dry-run", "stats", "sweep"];

    [Theory]
    [MemberData(nameof(TableReadingCommands))]
    public async Task A_mistyped_table_is_a_one_line_error_naming_the_tables_there_and_is_not_created(string command)
    {
        await using var existing = await Serverless.Testing.TestTable.CreateAsync(fixture, withStream: false, TestContext.Current.CancellationToken);
        var typo = "Servrless-" + Guid.NewGuid().ToString("N");

        var result = await Cli.RunRootAsync([.. command.Split(' '), "--endpoint", fixture.ServiceUrl.ToString(), "--table", typo]);

        Assert.Equal(CommandLine.Failure, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        var name = string.Join(' ', command.Split(' ').TakeWhile(word => !word.StartsWith('-')));
        Assert.StartsWith($"error: {name}: table {typo} does not exist at {fixture.ServiceUrl}; tables there: ", line, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
        var tables = (await fixture.Client.ListTablesAsync(TestContext.Current.CancellationToken)).TableNames;
        Assert.DoesNotContain(typo, tables);
    }

    [Fact]
    public async Task Help_of_seed_says_it_creates_the_table_and_the_others_that_it_must_exist()
    {
        var seed = await Cli.RunRootAsync("seed", "--help");
        var stats = await Cli.RunRootAsync("stats", "--help");

        Assert.Contains("Created if missing.", seed.Output, StringComparison.Ordinal);
        Assert.Contains("Must exist", stats.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("created if missing", stats.Output, StringComparison.OrdinalIgnoreCase);
    }
}
