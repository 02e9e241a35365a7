using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Serverless.Api;

namespace Serverless.Template.Tests;

/// <summary>The API app composed exactly as on Lambda, configured from a function's environment, never started.</summary>
internal static class ApiHost
{
    public static WebApplication Build(IReadOnlyDictionary<string, string> environment)
    {
        // The host environment (Production on AWS, Development under sam local) is fixed when the builder is made.
        var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment.GetValueOrDefault("DOTNET_ENVIRONMENT") });
        // Environment variables reach configuration with "__" as the section separator.
        builder.Configuration.AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)));
        return ApiApp.Build(builder);
    }
}
