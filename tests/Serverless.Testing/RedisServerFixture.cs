using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Xunit;

namespace Serverless.Testing;

/// <summary>
/// One Redis for the whole test assembly: <c>redis-server</c> (Debian's package) on a free loopback port, in memory only,
/// so the user cache is tested against the real server and its Lua scripts. Register with
/// <c>[assembly: AssemblyFixture(typeof(RedisServerFixture))]</c>; each test class keys its data under
/// <see cref="UniquePrefix"/>. <see cref="StopAsync"/> kills the server as a crash would and <see cref="StartAsync"/>
/// brings it back, empty, on the same port. With <c>REDIS_ENDPOINT</c> set, that server is used and nothing is started
/// (and it cannot be stopped).
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public const string EndpointVariable = "REDIS_ENDPOINT";

    public const string Program = "redis-server";

    public const string InstallHint = "apt-get install -y redis-server";

    /// <summary>
    /// The cache call timeout for tests that check what the cache holds: on a loaded machine a Redis answer can take
    /// longer than the production 50 ms, and a timed-out install would leave the key as it was. The timeout itself is
    /// tested with calls that hang (CacheGuardTests) and with a server that is killed.
    /// </summary>
    public static readonly TimeSpan TestOperationTimeout = TimeSpan.FromSeconds(5);

    private readonly StringBuilder _output = new();
    private string? _program;
    private Process? _process;
    private int _port;
    private string? _endpoint;
    private ConnectionMultiplexer? _connection;

    /// <summary><c>127.0.0.1:port</c>: what <c>Cache:Endpoint</c> is set to.</summary>
    public string Endpoint => _endpoint ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>A connection for the tests' own checks (KEYS, GET); reconnects by itself after a restart.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The fixture has not started.");

    public bool IsRunning => _process is { HasExited: false } || (_process is null && _endpoint is not null);

    /// <summary>A key prefix no other test class uses.</summary>
    public static string UniquePrefix(string name) => $"t{Guid.NewGuid():N}:{name}:";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        if (Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } given)
        {
            _endpoint = given;
            _connection = await ConnectAsync(given);
            return;
        }

        _program = Executables.FindOnPath(Program)
            ?? throw new InvalidOperationException(
                $"{Program} is not on PATH. The cache tests run against a real Redis: install it with `{InstallHint}` "
                + $"(.ci/run does so), or set {EndpointVariable} to a running server (host:port).");

        // A port found free can be taken before the server binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            _port = FreeLoopbackPort();
            _endpoint = "127.0.0.1:" + _port.ToString(CultureInfo.InvariantCulture);
            _process = Start(_program, _port);
            try
            {
                await WaitUntilAnsweringAsync(ct);
                break;
            }
            catch (InvalidOperationException) when (attempt < 3 && _process.HasExited)
            {
                _process.Dispose();
                _process = null;
            }
        }

        _connection = await ConnectAsync(_endpoint);
    }

    /// <summary>Kills the server (SIGKILL: no shutdown, no save), as a crash or a lost node would.</summary>
    public async Task StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"The fixture did not start the server ({EndpointVariable} is set): it cannot stop it.");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Starts the server again on the same port, empty.</summary>
    public async Task StartAsync()
    {
        if (_program is null || _process is null)
        {
            throw new InvalidOperationException($"The fixture did not start the server ({EndpointVariable} is set): it cannot restart it.");
        }

        if (!_process.HasExited)
        {
            return;
        }

        _process.Dispose();
        _process = Start(_program, _port);
        await WaitUntilAnsweringAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync(allowCommandsToComplete: false);
            _connection.Dispose();
        }

        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // The kill was sent; nothing more a dispose can do.
        }

        _process.Dispose();
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string endpoint)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.AbortOnConnectFail = false;
        options.AllowAdmin = true;
        options.ReconnectRetryPolicy = new LinearRetry(200);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    private Process Start(string program, int port)
    {
        // In memory only (no snapshot, no append-only file), loopback only, and no config file of the machine's.
        var start = new ProcessStartInfo(program,
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Sends PING until the server answers PONG, or fails with what it printed.</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Program} exited with {_process.ExitCode} before answering. It printed:\n{Printed()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _port, ct);
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

        throw new InvalidOperationException($"{Program} did not answer PING within 30 s. It printed:\n{Printed()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Printed()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
