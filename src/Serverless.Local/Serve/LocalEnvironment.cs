namespace Serverless.Local;

/// <summary>
/// The host environment the local stack runs the API in: Development, which lets the API use its development keys
/// (the <c>token</c> command's signing key, issuer and audience, a development cursor key), unless the developer's
/// shell names another environment, say to try the deployed configuration locally.
/// </summary>
public static class LocalEnvironment
{
    public const string Development = "Development";

    /// <summary>The variable .NET hosts read their environment from (and the template sets for the ApiFunction).</summary>
    public const string DotnetVariable = "DOTNET_ENVIRONMENT";

    /// <summary>ASP.NET Core's own, which takes precedence over <see cref="DotnetVariable"/> in a web host.</summary>
    public const string AspNetCoreVariable = "ASPNETCORE_ENVIRONMENT";

    /// <summary>
    /// The command-line setting every host of the local stack starts with: no reloading of its settings files on
    /// change. Reloading watches the content root (the checkout) and everything under it, and the scratch database
    /// DynamoDB Local writes there under a bulk load raised a stream of file events that cost about a fifth of a core.
    /// </summary>
    public static readonly string[] HostArguments = ["--hostBuilder:reloadConfigOnChange=false"];

    /// <summary>The environment named by <paramref name="inherited"/> variables, else Development.</summary>
    public static string Name(Func<string, string?> inherited)
    {
        ArgumentNullException.ThrowIfNull(inherited);
        return NonEmpty(inherited(AspNetCoreVariable)) ?? NonEmpty(inherited(DotnetVariable)) ?? Development;
    }

    /// <summary>True when the developer's environment names none, so the local stack picks Development.</summary>
    public static bool IsUnset(Func<string, string?> inherited)
    {
        ArgumentNullException.ThrowIfNull(inherited);
        return NonEmpty(inherited(AspNetCoreVariable)) is null && NonEmpty(inherited(DotnetVariable)) is null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
