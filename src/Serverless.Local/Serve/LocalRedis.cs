using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serverless.Local;

/// <summary>
/// The local stack's cache (<c>serve --cache</c>): <c>redis-server</c> from the machine's packages on a loopback port,
/// in memory only, stopped with the stack.
/// </summary>
public sealed class LocalRedis : IAsyncDisposable
{
    public const string Program = "redis-server";

    public const string InstallHint = "apt-get install -y redis-server";

    private readonly Process _process;

    private LocalRedis(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the API's <c>Cache:Endpoint</c> and the functions' <c>Cache__Endpoint</c> are set to.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <param name="port">0 picks a free one.</param>
    /// <param name="path">Where to look for the program (PATH when null).</param>
    /// <exception cref="CommandException">redis-server is not installed, exits, or does not answer.</exception>
    public static async Task<LocalRedis> StartAsync(int port, CancellationToken ct, string? path = null)
    {
        var program = Find(path ?? Environment.GetEnvironmentVariable("PATH") ?? "")
            ?? throw new CommandException($"--cache needs {Program}, which is not installed (not on PATH): install it with `{InstallHint}`, or run serve without --cache.");
        var chosen = port == 0 ? FreeLoopbackPort() : port;
        var start = new ProcessStartInfo(program,
            ["--port", chosen.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new CommandException($"Could not start {Program}.");
        var printed = new StringBuilder();
        process.OutputDataReceived += (_, e) => Keep(printed, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(printed, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new LocalRedis(process, chosen);
        try
        {
            await redis.WaitUntilAnsweringAsync(printed, ct);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Gone already, or the kill was sent: nothing more to do.
        }

        _process.Dispose();
    }

    private static string? Find(string path) =>
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, Program)).FirstOrDefault(File.Exists);

    private async Task WaitUntilAnsweringAsync(StringBuilder printed, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new CommandException($"{Program} exited ({_process.ExitCode}) before answering on port {Port}: {Printed(printed)}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, ct);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(2), ct);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, ct);
        }

        throw new CommandException($"{Program} did not answer on port {Port} within 20 s: {Printed(printed)}");
    }

    private static void Keep(StringBuilder printed, string? line)
    {
        if (line is not null)
        {
            lock (printed)
            {
                printed.Append(line).Append(' ');
            }
        }
    }

    private static string Printed(StringBuilder printed)
    {
        lock (printed)
        {
            return printed.Length == 0 ? "(it printed nothing)" : printed.ToString().Trim();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
