using Microsoft.Extensions.Hosting;
using Serverless.Lambda.Logging;

namespace Serverless.Functions;

/// <summary>What a host passes to a function's factory. Lambda passes the defaults; local tools adjust them.</summary>
public sealed record FunctionOptions
{
    public string[] Args { get; init; } = [];

    /// <summary>
    /// Adjusts the JSON log output, e.g. a local <c>invoke</c> sends it to stderr so stdout carries only the response.
    /// </summary>
    public Action<LambdaJsonLoggerOptions>? ConfigureLogging { get; init; }

    /// <summary>Last word on configuration and services before the function's host is built (local endpoints, test doubles).</summary>
    public Action<IHostApplicationBuilder>? ConfigureHost { get; init; }
}
