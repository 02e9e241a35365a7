using Serverless.Testing;

[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]
[assembly: AssemblyFixture(typeof(MotoKmsFixture))]
[assembly: AssemblyFixture(typeof(RedisServerFixture))]
