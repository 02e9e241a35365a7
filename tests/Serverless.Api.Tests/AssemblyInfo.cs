using Serverless.Testing;
using Xunit;

[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]
[assembly: AssemblyFixture(typeof(MotoKmsFixture))]
[assembly: AssemblyFixture(typeof(RedisServerFixture))]
