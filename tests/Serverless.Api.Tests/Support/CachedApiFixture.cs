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
        });
}
