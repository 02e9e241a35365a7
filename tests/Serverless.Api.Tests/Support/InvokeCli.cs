using System.Diagnostics;
using Serverless.DynamoDbLocal;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// The real CLI (<c>serverless-local invoke</c>, built beside the tests) as its own process from the repository root,
/// as a developer runs it, against the test run's DynamoDB Local and a given table.
/// </summary>
public static class InvokeCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> InvokeAsync(string function, string eventFile, Uri dynamoDbEndpoint, string tableName)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "serverless-local.dll"), "invoke", function, "--event", eventFile })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[DynamoDbLocalOptions.EndpointVariable] = dynamoDbEndpoint.ToString();
        psi.Environment["TABLE_NAME"] = tableName;

        var ct = TestContext.Current.CancellationToken;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
