using Serverless.Lambda.Runtime;

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
    ]);
}
