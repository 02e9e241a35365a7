using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>The API with its user cache on: the run's redis-server, under a key prefix of this fixture's own.</summary>
public sealed class CachedApiFixture(DynamoDbLocalFixture dynamoDb, RedisServerFixture redis) : ApiFixture(dynamoDb)
{
    public string KeyPrefix { get; } = RedisServerFixture.UniquePrefix("api");

    public RedisServerFixture Redis => redis;

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cache:Endpoint"] = redis.Endpoint,
            ["Cache:KeyPrefix"] = KeyPrefix,
            ["Cache:OperationTimeout"] = RedisServerFixture.TestOperationTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            // The cache tests create their users ten at a time; on a loaded 2-core machine the hash limiter's 5 s wait
            // would answer some of them 503. What they test is the cache, not the limiter: a create here waits its turn.
            ["PasswordHashing:QueueTimeout"] = "00:02:00",
            ["PasswordHashing:QueueLimit"] = "64",
        });
}
