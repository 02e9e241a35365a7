using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace Serverless.Testing.Telemetry;

/// <summary>
/// The scan's place in a run: after every other test of its assembly. xUnit v3 runs every parallel collection to the
/// end before it starts any collection with <c>DisableParallelization = true</c> (XunitTestAssemblyRunnerBase's
/// RunTestCollections), so a test assembly defines the collection
/// <c>[CollectionDefinition(TelemetryScanCollection.Name, DisableParallelization = true)]</c> and puts its scan there;
/// <see cref="ScanLastCollectionOrderer"/> (<c>[assembly: TestCollectionOrderer(typeof(ScanLastCollectionOrderer))]</c>)
/// puts it last among the others too, which also holds when a run turns parallelization off.
/// </summary>
public static class TelemetryScanCollection
{
    public const string Name = "Telemetry scan (after every other test)";
}

/// <summary>xUnit's own order for every collection, but the telemetry scan's, which comes last.</summary>
public sealed class ScanLastCollectionOrderer : ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection
    {
        var ordered = DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections);
        return [.. ordered.Where(c => !IsScan(c)), .. ordered.Where(c => IsScan(c))];
    }

    private static bool IsScan(ITestCollection collection) => collection.TestCollectionDisplayName == TelemetryScanCollection.Name;
}
