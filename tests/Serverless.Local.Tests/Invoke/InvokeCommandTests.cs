using System.Diagnostics;
using System.Text.Json;
using Serverless.DynamoDbLocal;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Invoke;

/// <summary>
/// Runs the real CLI (<c>serverless-local invoke</c>) as its own process from the repository root, as a developer
/// would, against the test run's DynamoDB Local. stdout must carry exactly the response JSON.
/// </summary>
public sealed class InvokeCommandTests(DynamoDbLocalFixture fixture)
{
    public static TheoryData<string, string> ReadyEvents() => new()
    {
        { "ApiFunction", "events/api-get-health.json" },
        { "AuditFunction", "events/audit-user-insert.json" },
        { "DenormalizeFunction", "events/denormalize-user-modify.json" },
        { "PurgeFunction", "events/purge-user-ttl-remove.json" },
        { "CacheInvalidationFunction", "events/cache-invalidation-user-modify.json" },
    };

    [Theory]
    [MemberData(nameof(ReadyEvents))]
    public async Task Every_ready_event_runs_through_its_function_and_succeeds(string function, string eventFile)
    {
        var result = await InvokeAsync("invoke", function, "--event", eventFile);

        Assert.Equal(0, result.ExitCode);
        using var response = JsonDocument.Parse(result.Stdout);
        if (function == "ApiFunction")
        {
            Assert.Equal(200, response.RootElement.GetProperty("statusCode").GetInt32());
        }
        else
        {
            Assert.Empty(response.RootElement.GetProperty("batchItemFailures").EnumerateArray());
        }
    }

    [Fact]
    public async Task Events_folder_has_no_event_without_a_test()
    {
        var files = Directory.GetFiles(RepoPaths.Of("events"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        var tested = ReadyEvents().Select(row => Path.GetFileName((string)row.Data.Item2)).Order(StringComparer.Ordinal);

        Assert.Equal(tested, files);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_sample_http_api_event_gives_a_well_formed_http_api_response_and_only_that_on_stdout()
    {
        var sample = RepoPaths.Of("tests", "Serverless.Lambda.Tests", "Samples", "http-api-v2-request.json");

        var result = await InvokeAsync("invoke", "ApiFunction", "--event", sample);

        Assert.Equal(0, result.ExitCode);
        using var response = JsonDocument.Parse(result.Stdout);
        var root = response.RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("statusCode").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("headers").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("body").ValueKind);
        Assert.Equal(JsonValueKind.False, root.GetProperty("isBase64Encoded").ValueKind);
    }

    [Fact]
    public async Task A_missing_event_file_is_a_one_line_error_with_exit_code_2()
    {
        var result = await InvokeAsync("invoke", "ApiFunction", "--event", "events/does-not-exist.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_event_file_is_a_one_line_error_with_exit_code_2()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bad.json");
        await File.WriteAllTextAsync(file, "{\"version\": \"2.0\", ", TestContext.Current.CancellationToken);

        var result = await InvokeAsync("invoke", "ApiFunction", "--event", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Contains("not valid JSON", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_function_names_the_functions_of_the_template()
    {
        var result = await InvokeAsync("invoke", "NoSuchFunction", "--event", "events/api-get-health.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ApiFunction", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("AuditFunction", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_needs_no_dynamodb_so_it_answers_200_with_the_endpoint_unreachable()
    {
        var result = await InvokeAsync(ClosedPort.Endpoint(), tableName: "no-such-table", "invoke", "ApiFunction", "--event", "events/api-get-health.json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var response = JsonDocument.Parse(result.Stdout);
        Assert.Equal(200, response.RootElement.GetProperty("statusCode").GetInt32());
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_does_not_create_the_table_at_an_endpoint_it_did_not_start()
    {
        var name = "invoke-absent-" + Guid.NewGuid().ToString("N");

        var result = await InvokeAsync(fixture.ServiceUrl, name, "invoke", "ApiFunction", "--event", "events/api-get-health.json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.DoesNotContain(name, (await fixture.Client.ListTablesAsync(TestContext.Current.CancellationToken)).TableNames);
    }

    private async Task<CliResult> InvokeAsync(params string[] args)
    {
        // The endpoint is used as it is: the table must be there, as the local stack's is.
        await using var table = await TestTable.CreateAsync(fixture, TestContext.Current.CancellationToken);
        return await InvokeAsync(fixture.ServiceUrl, table.Name, args);
    }

    private static async Task<CliResult> InvokeAsync(Uri endpoint, string tableName, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "serverless-local.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[DynamoDbLocalOptions.EndpointVariable] = endpoint.ToString();
        psi.Environment["TABLE_NAME"] = tableName;

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private sealed record CliResult(int ExitCode, string Stdout, string Stderr);
}
