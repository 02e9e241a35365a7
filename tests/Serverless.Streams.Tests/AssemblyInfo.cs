using Serverless.Testing;
using Serverless.Testing.Telemetry;

[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]
[assembly: AssemblyFixture(typeof(RedisServerFixture))]
[assembly: AssemblyFixture(typeof(TelemetryTapFixture))]

// The telemetry scan (TelemetryScanTests) comes after every other collection.
[assembly: TestCollectionOrderer(typeof(ScanLastCollectionOrderer))]
