using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Serverless.Data.Client.Faults;
using Serverless.DynamoDbLocal;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Faults;

/// <summary>What the tools' fault tests share: the faulted client, the reruns, the comparison and the table row.</summary>
internal static class ToolFaults
{
    public const double Rate = 0.25;
    private const int MostRuns = 200;

    public static (IAmazonDynamoDB Client, FaultCounters Counters) Faulted(DynamoDbLocalFixture fixture, FaultClass fault, int seed)
    {
        var config = fixture.Server.CreateConfig();
        // The SDK's retries on, as the CLI has them (3): a run stops when one call's every attempt failed, then a rerun
        // resumes it. With them off no run at this rate gets through a page (a hundred writes) to its next checkpoint.
        // Without the SDK's retry throttling: its retry capacity is kept per service URL for the whole process, so a run
        // that spends it (a few hundred faults do) would leave every later run, in this test or another on the same
        // DynamoDB Local, failing at its first fault. A user's rerun is a new process, with the capacity whole again.
        config.ThrottleRetries = false;
        var counters = FaultInjection.Attach(config, FaultOptions.Only(fault, Rate, seed: seed + (int)fault));
        return (new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config), counters);
    }

    /// <summary>
    /// A KMS client to moto's server with <paramref name="fault"/> at <see cref="Rate"/>, or on each of its first
    /// <paramref name="firstCalls"/> calls (an outage, then KMS answers again); the SDK's retries on, without their throttling (as above).
    /// </summary>
    public static (IAmazonKeyManagementService Client, FaultCounters Counters) FaultedKms(MotoKmsFixture kms, FaultClass fault, int seed, int? firstCalls = null) =>
        kms.CreateFaultedClient(
            firstCalls is { } n ? FaultOptions.Only(fault, 1.0, seed: seed + (int)fault) with { MaxFaults = n } : FaultOptions.Only(fault, Rate, seed: seed + (int)fault),
            config => config.ThrottleRetries = false);

    public static Task<int> RunUntilDoneAsync(Func<Task> run) => FaultCases.RunUntilDoneAsync(run, MostRuns);

    public static async Task<List<string>> ItemsAsync(TestTable table, Func<Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>, bool> which) =>
        ItemText.Sorted((await table.AllItemsAsync(TestContext.Current.CancellationToken)).Where(which));

    /// <summary>Lost: an item of the fault-free run missing or different; duplicated: an item it does not have.</summary>
    public static (int Lost, int Duplicated) Compare(List<string> expected, List<string> actual) =>
        (expected.Except(actual).Count(), actual.Count - actual.Intersect(expected).Count());

    public static void Report(string tool, FaultClass fault, int users, int runs, int lost, int duplicated, FaultCounters counters, string? rate = null) =>
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| {tool} | `{fault}` | {rate ?? Rate.ToString(System.Globalization.CultureInfo.InvariantCulture)} | {users} | {runs} | {lost} | {duplicated} | {counters.TotalInjected} / {counters.Eligible} |");
}
