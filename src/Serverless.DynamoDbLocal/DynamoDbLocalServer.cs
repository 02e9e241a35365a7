using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Serverless.DynamoDbLocal;

/// <summary>
/// A running DynamoDB endpoint: either DynamoDB Local started by this process (and stopped on dispose),
/// or the endpoint named by <c>DYNAMODB_ENDPOINT</c>, which is used as is and never stopped.
/// </summary>
public sealed class DynamoDbLocalServer : IAsyncDisposable
{
    /// <summary>DynamoDB Local accepts any credentials; with -sharedDb every client sees the same tables.</summary>
    public static readonly AWSCredentials LocalCredentials = new BasicAWSCredentials("local", "local");

    public const string LocalRegion = "us-east-1";

    private readonly Process? _process;
    private readonly StringBuilder _output;

    private readonly ScratchDirectory? _scratch;

    private DynamoDbLocalServer(Uri serviceUrl, Process? process, StringBuilder output, ScratchDirectory? scratch = null)
    {
        ServiceUrl = serviceUrl;
        _process = process;
        _output = output;
        _scratch = scratch;
    }

    public Uri ServiceUrl { get; }

    /// <summary>True when this instance started the emulator (false when <c>DYNAMODB_ENDPOINT</c> was used).</summary>
    public bool Owned => _process is not null;

    /// <summary>The folder of a <see cref="DynamoDbLocalStorage.Scratch"/> database while it runs; null otherwise.</summary>
    public string? ScratchPath => _scratch?.Path;

    /// <summary>The emulator's process id when this instance started it (benchmarks read its CPU time).</summary>
    public int? ProcessId => _process?.Id;

    public static async Task<DynamoDbLocalServer> StartAsync(DynamoDbLocalOptions? options = null, TextWriter? log = null, CancellationToken ct = default)
    {
        options ??= new DynamoDbLocalOptions();
        var external = Environment.GetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            if (!Uri.TryCreate(external, UriKind.Absolute, out var uri))
            {
                throw new DynamoDbLocalException($"{DynamoDbLocalOptions.EndpointVariable}='{external}' is not an absolute URL (e.g. http://127.0.0.1:8000).");
            }

            return new DynamoDbLocalServer(uri, null, new StringBuilder());
        }

        // Name the missing tool before spending a minute on a download it could not run.
        var java = ExecutableLocator.Require("java", "a Java 17+ JDK (e.g. apt-get install -y openjdk-17-jdk-headless).");
        var emulatorDir = await DynamoDbLocalPackage.EnsureInstalledAsync(options.CacheDirectory ?? DynamoDbLocalOptions.DefaultCacheDirectory(), log, ct);
        var port = options.Port == 0 ? FreeLoopbackPort() : options.Port;

        // DynamoDB Local writes a metadata file into its working directory: not into the verified emulator folder.
        var workingDir = Path.GetFullPath(Path.Combine(emulatorDir, "..", "work"));
        Directory.CreateDirectory(workingDir);
        var psi = new ProcessStartInfo(java)
        {
            WorkingDirectory = workingDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-Xmx" + options.JavaHeap);
        // Throughput over pause times on a small machine: no concurrent collector threads beside DynamoDB Local's own.
        psi.ArgumentList.Add("-XX:+UseParallelGC");
        psi.ArgumentList.Add("-Djava.library.path=" + Path.Combine(emulatorDir, "DynamoDBLocal_lib"));
        var scratch = options.Storage == DynamoDbLocalStorage.Scratch ? ScratchDirectory.Create(emulatorDir) : null;
        var bind = options.EffectiveBindAddress;
        if (bind == DynamoDbLocalOptions.AnyAddress)
        {
            // DynamoDB Local's own entry point listens on every interface.
            psi.ArgumentList.Add("-jar");
            psi.ArgumentList.Add(Path.Combine(emulatorDir, "DynamoDBLocal.jar"));
        }
        else
        {
            // Its command line has no address option: a small launcher of ours sets the address on its server. It also
            // ends when its standard input does, so it never outlives this process (killed with no chance to stop it).
            var launcherDir = await BoundLauncher.EnsureCompiledAsync(emulatorDir, ct);
            psi.RedirectStandardInput = true;
            psi.ArgumentList.Add("-D" + ExitWithStdinProperty + "=true");
            psi.ArgumentList.Add("-cp");
            psi.ArgumentList.Add(launcherDir + Path.PathSeparator + Path.Combine(emulatorDir, "DynamoDBLocal.jar"));
            psi.ArgumentList.Add(BoundLauncher.MainClass);
            psi.ArgumentList.Add(bind);
            psi.ArgumentList.Add(options.Storage switch
            {
                DynamoDbLocalStorage.Scratch => "scratch",
                DynamoDbLocalStorage.Directory => "durable",
                _ => "none",
            });
        }

        if (options.Storage == DynamoDbLocalStorage.Memory)
        {
            psi.ArgumentList.Add("-inMemory");
        }
        else
        {
            var dataDir = scratch?.Path ?? Path.GetFullPath(options.DataDirectory ?? Path.Combine(emulatorDir, "..", "data"));
            Directory.CreateDirectory(dataDir);
            psi.ArgumentList.Add("-dbPath");
            psi.ArgumentList.Add(dataDir);
        }

        // Without -sharedDb the emulator keeps one database per access key and region, so a table made by one
        // client is invisible to a client configured differently.
        psi.ArgumentList.Add("-sharedDb");
        // Nothing about the local stack's use is sent to AWS (and no start waits on a network it cannot reach).
        psi.ArgumentList.Add("-disableTelemetry");
        psi.ArgumentList.Add("-port");
        psi.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var output = new StringBuilder();
        // Once it is up, whatever DynamoDB Local says (an exception behind an InternalFailure, above all) goes to the log:
        // the answer a client gets names no cause.
        var forward = new OutputForwarder();
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DynamoDbLocalException("Could not start java for DynamoDB Local.");
        }
        catch
        {
            scratch?.Delete();
            throw;
        }

        process.OutputDataReceived += (_, e) => Append(output, e.Data, forward);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data, forward);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Listening on every interface includes loopback, which clients on this machine use; one address is used as it is.
        var host = bind == DynamoDbLocalOptions.AnyAddress
            ? DynamoDbLocalOptions.LoopbackAddress
            : IPAddress.Parse(bind).AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind;
        var server = new DynamoDbLocalServer(new Uri($"http://{host}:{port}"), process, output, scratch);
        try
        {
            await server.WaitUntilReadyAsync(options.StartupTimeout, ct);
            if (bind != DynamoDbLocalOptions.AnyAddress)
            {
                log?.WriteLine("DynamoDB Local " + await server.WaitForOutputAsync(SchemaCacheLinePrefixes, options.StartupTimeout, ct));
            }

            if (options.Storage != DynamoDbLocalStorage.Memory && bind != DynamoDbLocalOptions.AnyAddress)
            {
                // The launcher tunes the database after the server answers: ready means tuned (or told why not).
                log?.WriteLine("DynamoDB Local " + await server.WaitForOutputAsync(TuningLinePrefixes, options.StartupTimeout, ct));
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        log?.WriteLine(bind == DynamoDbLocalOptions.LoopbackAddress
            ? $"DynamoDB Local is listening on {server.ServiceUrl}"
            : $"DynamoDB Local is listening on {(bind == DynamoDbLocalOptions.AnyAddress ? "every interface" : bind)}, port {port} ({server.ServiceUrl})");
        forward.Start(log);
        return server;
    }

    public AmazonDynamoDBConfig CreateConfig() => new()
    {
        ServiceURL = ServiceUrl.ToString(),
        AuthenticationRegion = LocalRegion,
        MaxErrorRetry = 3,
    };

    public IAmazonDynamoDB CreateClient() => new AmazonDynamoDBClient(LocalCredentials, CreateConfig());

    public async ValueTask DisposeAsync()
    {
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
        _scratch?.Delete();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var client = new AmazonDynamoDBClient(LocalCredentials, new AmazonDynamoDBConfig
        {
            ServiceURL = ServiceUrl.ToString(),
            AuthenticationRegion = LocalRegion,
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(5),
        });
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process is { HasExited: true })
            {
                throw new DynamoDbLocalException($"DynamoDB Local exited with code {_process.ExitCode} before answering:\n{Output}");
            }

            try
            {
                await client.ListTablesAsync(new ListTablesRequest { Limit = 1 }, ct);
                return;
            }
            // A JVM starting on a busy machine refuses, resets or stalls connections for a while: all of that means "not yet".
            catch (Exception e) when (!ct.IsCancellationRequested && e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new DynamoDbLocalException($"DynamoDB Local did not answer on {ServiceUrl} within {timeout.TotalSeconds:0}s:\n{Output}", e);
                }

                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>What the launcher writes once it has run the storage's PRAGMAs, or found it could not.</summary>
    internal static readonly string[] TuningLinePrefixes = ["SQLite tuned", "SQLite not tuned"];

    /// <summary>What the launcher writes once it has given DynamoDB Local's schema reader its cache, or found it could not.</summary>
    internal static readonly string[] SchemaCacheLinePrefixes = ["table schemas cached", "table schemas not cached"];

    /// <summary>The launcher's switch: end when standard input ends (the pipe this process holds).</summary>
    internal const string ExitWithStdinProperty = "serverless.exitWithStdin";

    /// <summary>The first line of the emulator's output that starts with one of <paramref name="prefixes"/>.</summary>
    private async Task<string> WaitForOutputAsync(string[] prefixes, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = Output.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal)));
            if (line is not null)
            {
                return line;
            }

            if (_process is { HasExited: true })
            {
                throw new DynamoDbLocalException($"DynamoDB Local exited with code {_process.ExitCode} before its launcher wrote \"{prefixes[0]}\" or \"{prefixes[^1]}\":\n{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new DynamoDbLocalException($"DynamoDB Local's launcher did not write \"{prefixes[0]}\" or \"{prefixes[^1]}\" within {timeout.TotalSeconds:0}s:\n{Output}");
            }

            await Task.Delay(50, ct);
        }
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private static void Append(StringBuilder output, string? line, OutputForwarder forward)
    {
        if (line is null)
        {
            return;
        }

        forward.Write(line);

        lock (output)
        {
            // Keep the start of the log (the interesting part when startup fails) without growing forever.
            if (output.Length < 64 * 1024)
            {
                output.AppendLine(line);
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Hands DynamoDB Local's output lines to the log once the server is up, each marked as the emulator's. The one warning
/// it gives on every run (its SDK's JAXB fallback, with the java.util.logging line before it) says nothing a user can
/// act on and is left out; any other line, a stack trace behind an InternalFailure above all, goes through.
/// </summary>
internal sealed class OutputForwarder
{
    private readonly Lock _gate = new();
    private TextWriter? _log;
    private string? _header;

    public void Start(TextWriter? log)
    {
        lock (_gate)
        {
            _log = log;
        }
    }

    public void Write(string line)
    {
        lock (_gate)
        {
            if (_log is null)
            {
                return;
            }

            try
            {
                // java.util.logging writes a record as two lines: when and where, then what. Held until the "what" is seen.
                if (line.Contains(" com.amazonaws.log.JulLog ", StringComparison.Ordinal))
                {
                    Flush();
                    _header = line;
                    return;
                }

                if (line.Contains("JAXB is unavailable", StringComparison.Ordinal))
                {
                    _header = null;
                    return;
                }

                Flush();
                _log.WriteLine("DynamoDB Local: " + line);
            }
            catch (ObjectDisposedException)
            {
                // The log was closed before the emulator stopped: its last words go nowhere.
                _log = null;
            }
        }
    }

    private void Flush()
    {
        if (_header is { } header)
        {
            _header = null;
            _log!.WriteLine("DynamoDB Local: " + header);
        }
    }
}
