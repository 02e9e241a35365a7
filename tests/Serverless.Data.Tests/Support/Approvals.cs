using System.Runtime.CompilerServices;

namespace Serverless.Data.Tests.Support;

/// <summary>
/// Compares a rendered item with the checked-in file under Approved/. On a difference (or a missing file) it
/// writes <c>name.received.json</c> beside it and fails: review the diff, then rename it to approve.
/// </summary>
internal static class Approvals
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(callerPath))!, "Approved");
        var approvedPath = Path.Combine(folder, name + ".approved.json");
        var receivedPath = Path.Combine(folder, name + ".received.json");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : null;
        if (approved == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        Assert.Fail(approved is null
            ? $"No approved shape for {name}; review {receivedPath} and rename it to {name}.approved.json."
            : $"The stored shape of {name} changed; compare {receivedPath} with {approvedPath}. A change of stored shape needs a schemaVersion bump and a migration.");
    }
}
