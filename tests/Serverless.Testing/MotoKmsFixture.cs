using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Serverless.Data.Client.Faults;
using Xunit;

namespace Serverless.Testing;

/// <summary>
/// One KMS for the whole test assembly: moto's server (<c>moto_server</c>, from the pip package <c>moto[server]</c>) on a
/// free loopback port, so the KMS root key is tested against a real KMS wire protocol (GenerateDataKey and Decrypt
/// with their encryption context) rather than a stand-in of ours. Register with
/// <c>[assembly: AssemblyFixture(typeof(MotoKmsFixture))]</c>; each test makes its own key with
/// <see cref="CreateKeyAsync"/>. With <c>KMS_ENDPOINT</c> set, the tests use that endpoint and start nothing.
/// </summary>
public sealed class MotoKmsFixture : IAsyncLifetime
{
    /// <summary>The variable that points the tests (and the API) at a KMS endpoint that is already running.</summary>
    public const string EndpointVariable = "KMS_ENDPOINT";

    public const string Program = "moto_server";

    /// <summary>What to run where <see cref="Program"/> is missing.</summary>
    public const string InstallHint = "python3 -m pip install 'moto[server]'";

    /// <summary>moto's default account; its key ARNs are arn:aws:kms:us-east-1:123456789012:key/&lt;id&gt;.</summary>
    public const string Region = "us-east-1";

    // moto accepts any credentials; real ones are never needed, nor sent.
    private static readonly BasicAWSCredentials Credentials = new("moto", "moto");

    private readonly StringBuilder _output = new();
    private Process? _process;
    private Uri? _serviceUrl;

    public Uri ServiceUrl => _serviceUrl ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>A client shared by the tests' own checks; give the code under test one from <see cref="CreateClient"/>.</summary>
    public IAmazonKeyManagementService Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        if (Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } given)
        {
            _serviceUrl = new Uri(given, UriKind.Absolute);
            Client = CreateClient();
            await WaitUntilAnsweringAsync(ct);
            return;
        }

        var program = Executables.FindOnPath(Program)
            ?? throw new InvalidOperationException(
                $"{Program} is not on PATH. The KMS tests run against moto's KMS server: install it with `{InstallHint}` "
                + $"(.ci/run does so where pip can reach its registry), or set {EndpointVariable} to a running KMS endpoint.");

        // A port found free can be taken before moto binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            _serviceUrl = new Uri($"http://127.0.0.1:{port}/");
            _process = Start(program, port);
            Client = CreateClient();
            try
            {
                await WaitUntilAnsweringAsync(ct);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && _process.HasExited)
            {
                Client.Dispose();
                _process.Dispose();
                _process = null;
            }
        }
    }

    /// <param name="recorder">Records every KMS operation the client sends (e.g. "GenerateDataKey", "Decrypt").</param>
    public IAmazonKeyManagementService CreateClient(RequestRecorder? recorder = null) => CreateClient(config =>
    {
        if (recorder is not null)
        {
            config.HttpClientFactory = recorder;
        }
    });

    /// <summary>A client whose calls pass through the fault injection of <paramref name="faults"/>; <paramref name="configure"/> sets its retries.</summary>
    public (IAmazonKeyManagementService Client, FaultCounters Counters) CreateFaultedClient(FaultOptions faults, Action<AmazonKeyManagementServiceConfig> configure)
    {
        FaultCounters? counters = null;
        var client = CreateClient(config =>
        {
            configure(config);
            counters = FaultInjection.Attach(config, faults);
        });
        return (client, counters!);
    }

    private AmazonKeyManagementServiceClient CreateClient(Action<AmazonKeyManagementServiceConfig> configure)
    {
        var config = new AmazonKeyManagementServiceConfig { ServiceURL = ServiceUrl.ToString(), AuthenticationRegion = Region };
        configure(config);
        return new AmazonKeyManagementServiceClient(Credentials, config);
    }

    /// <summary>A new symmetric customer-managed key (what template.yaml's FieldKey is); its ARN.</summary>
    public async Task<string> CreateKeyAsync(CancellationToken cancellationToken)
    {
        var response = await Client.CreateKeyAsync(
            new CreateKeyRequest { Description = "test field key", KeySpec = KeySpec.SYMMETRIC_DEFAULT, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT },
            cancellationToken);
        return response.KeyMetadata.Arn;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
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

    private Process Start(string program, int port)
    {
        var start = new ProcessStartInfo(program, ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
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

    /// <summary>Polls ListKeys until moto answers (its start takes a second or two), or fails with what it printed.</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Program} exited with code {_process.ExitCode} before answering:\n{Output()}");
            }

            try
            {
                await Client.ListKeysAsync(new ListKeysRequest { Limit = 1 }, ct);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or AmazonServiceException or AmazonClientException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                last = e;
                await Task.Delay(200, ct);
            }
        }

        throw new InvalidOperationException($"KMS at {ServiceUrl} did not answer within 60 s ({last?.GetType().Name}: {last?.Message}):\n{Output()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 32 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
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
