using System.Diagnostics;
using System.Globalization;

namespace Serverless.DynamoDbLocal;

/// <summary>
/// The folder of a <see cref="DynamoDbLocalStorage.Scratch"/> database: <c>scratch/PID-N</c> next to the emulator,
/// deleted when its server stops. Folders left by a process that no longer runs (killed before it could clean up)
/// are deleted when the next one is made.
/// </summary>
internal sealed class ScratchDirectory
{
    private ScratchDirectory(string path) => Path = path;

    public string Path { get; }

    public static ScratchDirectory Create(string emulatorDir)
    {
        var root = System.IO.Path.GetFullPath(System.IO.Path.Combine(emulatorDir, "..", "scratch"));
        Directory.CreateDirectory(root);
        foreach (var stale in Directory.GetDirectories(root))
        {
            if (OwnerOf(stale) is { } owner && !IsRunning(owner))
            {
                TryDelete(stale);
            }
        }

        var path = System.IO.Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(path);
        return new ScratchDirectory(path);
    }

    public void Delete() => TryDelete(Path);

    private static int? OwnerOf(string dir)
    {
        var name = System.IO.Path.GetFileName(dir);
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (IOException)
        {
            // In use or half deleted: the next start tries again.
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to delete.
        }
    }
}
