using Serverless.Data;
using Serverless.Data.Idempotency;

namespace Serverless.Api.Infrastructure.Idempotency;

/// <summary>The idempotency records' settings and store (docs/idempotency.md).</summary>
internal static class IdempotencySetup
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    public static IServiceCollection AddApiIdempotency(this IServiceCollection services)
    {
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.Section)
            .Validate(o => o.Expiry >= TimeSpan.FromMinutes(1), "Idempotency:Expiry must be at least one minute.")
            .Validate(o => o.InProgressTimeout >= TimeSpan.FromSeconds(1) && o.InProgressTimeout <= o.Expiry, "Idempotency:InProgressTimeout must be at least one second and no longer than Idempotency:Expiry.")
            // A stored response may hold a user's PII under a keyring key: it must be gone before that user's purge.
            .Validate<IOptions<Data.TableSettings>>((o, table) => o.Expiry < table.Value.SoftDeleteRetention, "Idempotency:Expiry must be shorter than Table:SoftDeleteRetention.")
            .ValidateOnStart();
        services.AddSingleton(sp => new IdempotencyStore(sp.GetRequiredService<TableAccess>(), sp.GetRequiredService<IOptions<IdempotencyOptions>>().Value));
        return services;
    }

    /// <summary>
    /// Every POST takes an <c>Idempotency-Key</c>; another method only where its route says so (<see cref="WithIdempotency"/>).
    /// </summary>
    public static bool Applies(Endpoint? endpoint) =>
        endpoint is RouteEndpoint route
        && (route.Metadata.GetMetadata<IdempotentRoute>() is not null
            || (route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post, StringComparer.OrdinalIgnoreCase) ?? false));

    /// <summary>A route that is not a POST but takes an <c>Idempotency-Key</c> too (a PATCH where a replay helps).</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(IdempotentRoute.Instance);
}

/// <summary>Marks a route that takes an <c>Idempotency-Key</c> although it is no POST.</summary>
internal sealed class IdempotentRoute
{
    public static IdempotentRoute Instance { get; } = new();

    private IdempotentRoute()
    {
    }
}
