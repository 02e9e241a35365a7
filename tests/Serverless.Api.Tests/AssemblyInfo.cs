using Serverless.Testing;
using Serverless.Testing.Telemetry;
using Xunit;

[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]
[assembly: AssemblyFixture(typeof(MotoKmsFixture))]
[assembly: AssemblyFixture(typeof(RedisServerFixture))]
[assembly: AssemblyFixture(typeof(TelemetryTapFixture))]

// The telemetry scan (TelemetryScanTests) comes after every other collection.
[assembly: TestCollectionOrderer(typeof(ScanLastCollectionOrderer))]
