using Serverless.Local.EventSourceMapping;
using Serverless.Local.Ttl;
using Serverless.Testing;

namespace Serverless.Streams.Tests.Support;

/// <summary>
/// Stream functions fed from a test table's stream through the shared <see cref="EmulatorHarness"/>, as Lambda would
/// feed them, with the settings the template gives them: partial batch responses, bisect, bounded retries.
/// </summary>
internal static class Emulation
{
    public static EventSourceMappingSettings Settings(string functionName) => new()
    {
        FunctionName = functionName,
        BatchSize = 100,
        ReportBatchItemFailures = true,
        BisectBatchOnFunctionError = true,
        MaximumRetryAttempts = 2,
    };

    public static Task<EmulatorHarness> StartAsync(
        DynamoDbLocalFixture dynamo,
        string tableName,
        IEnumerable<(RecordedFunction Function, EventSourceMappingSettings Settings)> mappings,
        CancellationToken ct,
        TtlDeletionLog? ttlDeletions = null,
        IOnFailureDestination? onFailure = null) =>
        EmulatorHarness.StartAsync(
            dynamo,
            [.. mappings.Select(m => new StreamFunctionMapping(m.Settings, tableName, m.Function.InvokeAsync, onFailure))],
            ct,
            ttlDeletions);
}
