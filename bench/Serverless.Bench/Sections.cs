using Serverless.Bench.Adapter;
using Serverless.Bench.Api;
using Serverless.Bench.Cache;
using Serverless.Bench.Capacity;
using Serverless.Bench.ColdStart;
using Serverless.Bench.Growth;
using Serverless.Bench.Observability;
using Serverless.Bench.Privacy;
using Serverless.Bench.Report;
using Serverless.Bench.Seeding;
using Serverless.Bench.Streams;
using Serverless.Bench.Support;

namespace Serverless.Bench;

/// <summary>The report's sections in order; each measures its subject and its baseline in the same call.</summary>
public static class Sections
{
    public static IReadOnlyList<Section> All { get; } =
    [
        new(ColdStartBench.Key, "Cold start", ColdStartBench.RunAsync),
        new(AdapterBench.Key, "Lambda adapter overhead", AdapterBench.RunAsync),
        new(ApiBench.Key, "API against raw DynamoDB", ApiBench.RunAsync),
        new(ReadsUnderCreatesBench.Key, "Reads while users are created", ReadsUnderCreatesBench.RunAsync),
        new(ObservabilityBench.Key, "Telemetry cost", ObservabilityBench.RunAsync),
        new(ApiTelemetryBench.Key, ApiTelemetryBench.Title, ApiTelemetryBench.RunAsync),
        new(StreamsBench.Key, "Stream functions", StreamsBench.RunAsync),
        new(SeedingBench.Key, "Seeding", SeedingBench.RunAsync),
        new(LocalStackSeedingBench.Key, LocalStackSeedingBench.Title, LocalStackSeedingBench.RunAsync),
        new(GrowthBench.Key, "Growth", GrowthBench.RunAsync),
        new(PrivacyBench.Key, "Privacy", PrivacyBench.RunAsync),
        new(CacheBench.Key, CacheBench.Title, CacheBench.RunAsync),
        new(CapacityBench.Key, CapacityBench.Title, CapacityBench.RunAsync),
    ];
}

public sealed record Section(string Key, string Title, Func<BenchContext, CancellationToken, Task<SectionResult>> Run);
