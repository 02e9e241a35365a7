namespace Serverless.Api.Infrastructure.Passwords;

internal static class PasswordHashingSetup
{
    public static IServiceCollection AddPasswordHashing(this IServiceCollection services)
    {
        services.AddOptions<PasswordHashingOptions>()
            .BindConfiguration(PasswordHashingOptions.Section)
            .Validate(o => o.MaxConcurrent is null or > 0, "PasswordHashing:MaxConcurrent must be positive.")
            .Validate(o => o.QueueLimit >= 0, "PasswordHashing:QueueLimit must not be negative.")
            .Validate(o => o.QueueTimeout >= TimeSpan.Zero, "PasswordHashing:QueueTimeout must not be negative.")
            .Validate(
                o => o.Iterations is >= Serverless.Domain.Security.PasswordHasher.MinIterations and <= Serverless.Domain.Security.PasswordHasher.MaxIterations,
                $"PasswordHashing:Iterations must be between {Serverless.Domain.Security.PasswordHasher.MinIterations:N0} and {Serverless.Domain.Security.PasswordHasher.MaxIterations:N0}.")
            .ValidateOnStart();
        services.AddSingleton<PasswordHashing>();
        return services;
    }
}
