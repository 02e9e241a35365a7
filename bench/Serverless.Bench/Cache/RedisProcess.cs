using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serverless.Bench.Cache;

/// <summary>
/// A <c>redis-server</c> of the section's own on a free loopback port, in memory only (no snapshot, no append-only
/// file, no config file of the machine's), killed when disposed. <see cref="FindProgram"/> is null when the package is
/// not installed: the section then says it was skipped.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    public const string Program = "redis-server";

    public const string InstallHint = "apt-get install -y redis-server";

    private readonly Process _process;
    private readonly StringBuilder _printed = new();

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What <c>Cache:Endpoint</c> is set to.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The server's process id, for its CPU time.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The full path of <c>redis-server</c> on PATH, or null.</summary>
    public static string? FindProgram() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, Program))
            .FirstOrDefault(File.Exists);

    public static async Task<RedisProcess> StartAsync(string program, CancellationToken ct)
    {
        // A port found free may be taken before the server binds it: a few tries.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var start = new ProcessStartInfo(program,
                ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var redis = new RedisProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Program}."), port);
            redis._process.OutputDataReceived += (_, e) => redis.Keep(e.Data);
            redis._process.ErrorDataReceived += (_, e) => redis.Keep(e.Data);
            redis._process.BeginOutputReadLine();
            redis._process.BeginErrorReadLine();
            try
            {
                await redis.WaitUntilAnsweringAsync(ct);
                return redis;
            }
            catch (InvalidOperationException) when (attempt < 3 && redis._process.HasExited)
            {
                await redis.DisposeAsync();
            }
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
            // Gone already, or the kill was sent and nothing more can be done.
        }

        _process.Dispose();
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Program} exited with {_process.ExitCode} before answering: {Printed()}");
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

        throw new InvalidOperationException($"{Program} did not answer PING within 30 s: {Printed()}");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_printed)
            {
                _printed.AppendLine(line);
            }
        }
    }

    private string Printed()
    {
        lock (_printed)
        {
            return _printed.Length == 0 ? "(nothing printed)" : _printed.ToString();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
