using System.Diagnostics;
using System.Globalization;

namespace Serverless.Local.Tests.Support;

/// <summary>
/// A process and everything it started, read from /proc (Linux), so a test can stop a command the way a terminal's
/// Ctrl+C does: SIGINT to every process of the foreground job, not only the first one.
/// </summary>
internal static class ProcessTree
{
    /// <summary><paramref name="root"/> and its live descendants, parents first.</summary>
    public static IReadOnlyList<int> Of(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ParentOf(pid) is { } parent)
            {
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
        }

        var tree = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            if (IsAlive(pid))
            {
                tree.Add(pid);
            }

            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Enqueue(child);
            }
        }

        return tree;
    }

    /// <summary>True while the process exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAlive(int pid) => State(pid) is { } state && state != 'Z' && state != 'X';

    /// <summary>
    /// Sends SIGINT to each process (what Ctrl+C in a terminal sends to every process of the job). Where this process
    /// was started with SIGINT ignored (a background job of a script: nohup, <c>cmd &amp;</c>), its children inherit
    /// that and no Ctrl+C could reach them; they get SIGTERM then, the other signal the host stops gracefully on.
    /// </summary>
    public static async Task InterruptAsync(IEnumerable<int> pids)
    {
        var psi = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add(InterruptIgnored() ? "-TERM" : "-INT");
        foreach (var pid in pids)
        {
            psi.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        using var kill = Process.Start(psi)!;
        // A process that exited meanwhile makes kill complain; that one needs no signal.
        await kill.StandardError.ReadToEndAsync();
        await kill.WaitForExitAsync();
    }

    /// <summary>True when this process ignores SIGINT (bit 1 of the SigIgn mask in /proc/self/status).</summary>
    private static bool InterruptIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2) != 0;
    }

    private static int? ParentOf(int pid) => Fields(pid) is { } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;

    private static char? State(int pid) => Fields(pid) is { } fields ? fields[0][0] : null;

    /// <summary>The fields of /proc/PID/stat after the command name: state, ppid, ... (the name may hold spaces and parentheses).</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
