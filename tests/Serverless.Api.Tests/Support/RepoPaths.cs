using System.Runtime.CompilerServices;

namespace Serverless.Api.Tests.Support;

internal static class RepoPaths
{
    /// <summary>The repository root, found from this source file's location (tests run from bin/).</summary>
    public static string Root() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));

    // Evaluated here, not at the caller: CallerFilePath names the file that contains the call.
    private static string ThisFile([CallerFilePath] string path = "") => path;
}
