using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Serverless.Bench.Support;

/// <summary>
/// A KMS for the sections that start the API as Lambda runs it (Production, the keyring wrapped by a KMS key):
/// moto's server on a free loopback port, or the endpoint in <c>KMS_ENDPOINT</c> when one is given. One key per run.
/// </summary>
public sealed class MotoKms : IAsyncDisposable
{
    public const string EndpointVariable = "KMS_ENDPOINT";
    private const string Program = "moto_server";
    private const string Region = "us-east-1";

    private readonly Process? _process;

    private MotoKms(Uri serviceUrl, Process? process, IAmazonKeyManagementService client, string keyArn)
    {
        ServiceUrl = serviceUrl;
        _process = process;
        Client = client;
        KeyArn = keyArn;
    }

    public Uri ServiceUrl { get; }

    public IAmazonKeyManagementService Client { get; }

    /// <summary>The symmetric key standing for template.yaml's FieldKey.</summary>
    public string KeyArn { get; }

    public static async Task<MotoKms> StartAsync(CancellationToken ct)
    {
        Process? process = null;
        Uri url;
        if (Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } given)
        {
            url = new Uri(given, UriKind.Absolute);
        }
        else
        {
            var program = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, Program))
                .FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException(
                    $"{Program} is not on PATH: the cold start runs the API as on Lambda, with its keyring wrapped by KMS. "
                    + $"Install it with `python3 -m pip install 'moto[server]'`, or set {EndpointVariable} to a running KMS endpoint.");
            var port = FreeLoopbackPort();
            url = new Uri($"http://127.0.0.1:{port}/");
            process = Process.Start(new ProcessStartInfo(program, ["-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException($"Could not start {Program}.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        var client = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials("local", "local"),
            new AmazonKeyManagementServiceConfig { ServiceURL = url.ToString(), AuthenticationRegion = Region });
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var key = await client.CreateKeyAsync(
                    new CreateKeyRequest { Description = "bench field key", KeySpec = KeySpec.SYMMETRIC_DEFAULT, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT }, ct);
                return new MotoKms(url, process, client, key.KeyMetadata.Arn);
            }
            catch (Exception e) when (e is HttpRequestException or AmazonServiceException or AmazonClientException or IOException && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (process is { HasExited: true })
                {
                    throw new InvalidOperationException($"{Program} exited with code {process.ExitCode} before answering.", e);
                }

                await Task.Delay(200, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Gone already, or the kill was sent and nothing more can be done.
        }

        _process.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
