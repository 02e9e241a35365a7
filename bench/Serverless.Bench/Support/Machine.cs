using System.Diagnostics;

namespace Serverless.Bench.Support;

public static class Machine
{
    public static string Describe()
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        var memory = "";
        try
        {
            var total = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            memory = $", {kb / 1024 / 1024.0:0} GiB";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
        }

        return $"{cpu}, {Environment.ProcessorCount} cores{memory}";
    }

    public static string Java()
    {
        try
        {
            using var java = Process.Start(new ProcessStartInfo("java", "-version") { RedirectStandardError = true, UseShellExecute = false });
            var line = java?.StandardError.ReadLine() ?? "java";
            java?.WaitForExit();
            return line.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "java";
        }
    }
}
