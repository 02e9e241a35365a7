using Serverless.Testing;

[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]
