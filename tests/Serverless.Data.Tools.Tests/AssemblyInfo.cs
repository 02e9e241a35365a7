using Serverless.Testing;
using Xunit;

[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]
[assembly: AssemblyFixture(typeof(MotoKmsFixture))]
