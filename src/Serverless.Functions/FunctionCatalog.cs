using Serverless.Lambda.Runtime;
using Serverless.Streams;

namespace Serverless.Functions;

/// <summary>
/// Every function of template.yaml, by its Handler name. Lambda picks one through <c>_HANDLER</c>; local tools
/// (invoke, the stream emulator) create one the same way and call it through <see cref="ILambdaFunction"/>.
/// </summary>
public static class FunctionCatalog
{
    public const string Api = "Api";

    // One entry per function; a stream function joins with one line: new(name, Factory.CreateAsync).
    public static FunctionRegistry<FunctionOptions> Registry { get; } = new(
    [
        new(Api, ApiFunction.CreateAsync),
        new(StreamFunctions.Audit, (options, ct) => StreamFunctions.CreateFromEnvironmentAsync(StreamFunctions.Audit, options.ConfigureLogging, ct)),
        new(StreamFunctions.Denormalize, (options, ct) => StreamFunctions.CreateFromEnvironmentAsync(StreamFunctions.Denormalize, options.ConfigureLogging, ct)),
        new(StreamFunctions.Purge, (options, ct) => StreamFunctions.CreateFromEnvironmentAsync(StreamFunctions.Purge, options.ConfigureLogging, ct)),
        new(StreamFunctions.CacheInvalidation, (options, ct) => StreamFunctions.CreateFromEnvironmentAsync(StreamFunctions.CacheInvalidation, options.ConfigureLogging, ct)),
    ]);
}
