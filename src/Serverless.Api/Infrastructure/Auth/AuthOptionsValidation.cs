using System.Text;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// The development values (the public key, issuer and audience in <see cref="DevAuth"/>) are filled in and
/// accepted only in the Development environment (DOTNET_ENVIRONMENT or ASPNETCORE_ENVIRONMENT), which the local stack
/// and the tests turn on. Anywhere else every setting the chosen mode needs must be given, and a development value
/// given explicitly is refused: a deployed stack one setting away from accepting the <c>token</c> command's tokens is
/// what this prevents.
/// </summary>
internal sealed class AuthOptionsValidation(IHostEnvironment environment) : IPostConfigureOptions<AuthOptions>, IValidateOptions<AuthOptions>
{
    private const string DevelopmentHint = "(the local stack runs with DOTNET_ENVIRONMENT=Development, which uses its development values instead)";

    public void PostConfigure(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!environment.IsDevelopment())
        {
            return;
        }

        options.Issuer = Or(options.Issuer, DevAuth.Issuer);
        options.Audience = Or(options.Audience, DevAuth.Audience);
        options.SigningKey = Or(options.SigningKey, DevAuth.SigningKey);
    }

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var development = environment.IsDevelopment();
        var where = $"in the {environment.EnvironmentName} environment";

        Require(failures, options.Issuer, "Auth:Issuer (Auth__Issuer)", "the issuer (iss) of the tokens this API accepts", where);
        Require(failures, options.Audiences.Count == 0 ? "" : options.Audience, "Auth:Audience (Auth__Audience)", "the audiences (aud) this API accepts, comma-separated", where);
        // Trusting the host's caller, API Gateway has validated the token and no key is needed here.
        if (!options.UsesHostPrincipal)
        {
            Require(failures, options.SigningKey, "Auth:SigningKey (Auth__SigningKey)", "the key that signs the bearer tokens this API validates", where);
            if (options.SigningKey.Length > 0 && Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
            {
                failures.Add("Auth:SigningKey must be at least 32 bytes (HS256).");
            }
        }

        if (!development)
        {
            Refuse(failures, options.Issuer == DevAuth.Issuer, "Auth:Issuer", "issuer", where);
            Refuse(failures, options.Audiences.Contains(DevAuth.Audience, StringComparer.Ordinal), "Auth:Audience", "audience", where);
            Refuse(failures, !options.UsesHostPrincipal && options.SigningKey == DevAuth.SigningKey, "Auth:SigningKey", "signing key", where);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Require(List<string> failures, string value, string setting, string what, string where)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{setting} is not set: give {what} {where} {DevelopmentHint}.");
        }
    }

    private static void Refuse(List<string> failures, bool isDevelopmentValue, string setting, string what, string where)
    {
        if (isDevelopmentValue)
        {
            failures.Add($"{setting} is the local stack's public development {what}, refused {where}: configure your identity provider's {what}.");
        }
    }

    private static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
