using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Api.Infrastructure.Passwords;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>The app with one password hash at a time and a short queue, so a test can fill both.</summary>
public class PasswordHashingFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    public const int QueueLimit = 2;

    protected virtual TimeSpan QueueTimeout => TimeSpan.FromMinutes(2);

    /// <summary>The app's limiter: a test holds its one permit to make later hashes queue, deterministically.</summary>
    public System.Threading.RateLimiting.ConcurrencyLimiter Limiter =>
        Services.GetRequiredService<PasswordHashing>().Limiter ?? throw new InvalidOperationException("The limit is off.");

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PasswordHashing:MaxConcurrent"] = "1",
            ["PasswordHashing:QueueLimit"] = QueueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PasswordHashing:QueueTimeout"] = QueueTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        });
    }
}

/// <summary>As <see cref="PasswordHashingFixture"/>, with a wait so short that a queued hash runs out of time.</summary>
public sealed class ShortHashWaitFixture(DynamoDbLocalFixture dynamoDb) : PasswordHashingFixture(dynamoDb)
{
    protected override TimeSpan QueueTimeout => TimeSpan.FromMilliseconds(200);
}

/// <summary>The app with <c>PasswordHashing:Iterations</c> set to <see cref="Iterations"/>.</summary>
public abstract class IterationsFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    protected abstract int Iterations { get; }

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PasswordHashing:Iterations"] = Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}

/// <summary>The app with the hash's cost lowered to the least a deployment may configure.</summary>
public sealed class FewerIterationsFixture(DynamoDbLocalFixture dynamoDb) : IterationsFixture(dynamoDb)
{
    protected override int Iterations => Serverless.Domain.Security.PasswordHasher.MinIterations;
}

/// <summary>The app configured with a hash too cheap to store passwords with.</summary>
public sealed class TooFewIterationsFixture(DynamoDbLocalFixture dynamoDb) : IterationsFixture(dynamoDb)
{
    protected override int Iterations => 1000;
}
