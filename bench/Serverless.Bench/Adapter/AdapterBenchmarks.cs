using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.Api;
using Serverless.Bench.Support;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Runtime;

namespace Serverless.Bench.Adapter;

/// <summary>
/// One warm request to the same endpoint three ways: straight into the app's pipeline (the baseline), through the
/// Lambda adapter (HTTP API 2.0 event JSON in, response JSON out), and over Kestrel on loopback. The endpoint is
/// GET /health, which touches nothing outside the app, so the differences are the hosts' own.
/// </summary>
[MemoryDiagnoser]
public class AdapterBenchmarks
{
    public const string Path = "/health";

    private WebApplication _direct = null!;
    private InProcessServer _server = null!;
    private WebApplication _lambdaApp = null!;
    private ILambdaFunction _lambda = null!;
    private ILambdaContext _context = null!;
    private byte[] _event = null!;
    private ApiHost _kestrel = null!;
    private HttpClient _http = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        // Nothing here reaches DynamoDB; the configuration only has to be valid.
        var dynamo = new Uri("http://127.0.0.1:9/");
        var settings = ApiHost.Configuration(dynamo, "bench-adapter");
        settings["Auth:TrustHostPrincipal"] = "true";

        var direct = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        direct.Configuration.AddInMemoryCollection(settings);
        direct.Logging.ClearProviders();
        _context = LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, TimeSpan.FromMinutes(15));
        _server = new InProcessServer(_context);
        direct.Services.RemoveAll<IServer>();
        direct.Services.AddSingleton<IServer>(_server);
        _direct = ApiApp.Build(direct);
        await _direct.StartAsync();

        var lambda = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        lambda.Configuration.AddInMemoryCollection(settings);
        lambda.Logging.ClearProviders();
        lambda.UseLambdaServer(always: true);
        _lambdaApp = ApiApp.Build(lambda);
        _lambda = await _lambdaApp.StartLambdaFunctionAsync(CancellationToken.None);
        _event = ApiEvents.Get(Path);

        _kestrel = await ApiHost.StartAsync(dynamo, "bench-adapter", CancellationToken.None);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _kestrel.Address };

        // Each path must really answer 200, or the benchmark would time an error page.
        Check(await InProcess(), "in-process");
        Check(ApiEvents.StatusOf((await _lambda.InvokeAsync(_event, _context, CancellationToken.None)).Span) ?? 0, "Lambda adapter");
        Check(await Kestrel(), "Kestrel");

        // The three paths share the app's code: bring it all to its final (tier-1) code before the first
        // measurement, or whichever benchmark runs first would pay the others' JIT.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 500; i++)
            {
                await InProcess();
                await LambdaAdapter();
                await Kestrel();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }
    }

    private static void Check(int status, string path)
    {
        if (status != 200)
        {
            throw new InvalidOperationException($"GET {Path} through {path} answered {status}.");
        }
    }

    [Benchmark(Baseline = true, Description = "in-process, no adapter")]
    public Task<int> InProcess() => _server.SendAsync(Path);

    [Benchmark(Description = "Lambda adapter (HTTP API 2.0 JSON in and out)")]
    public async Task<int> LambdaAdapter()
    {
        var response = await _lambda.InvokeAsync(_event, _context, CancellationToken.None);
        return response.Length;
    }

    [Benchmark(Description = "Kestrel over loopback")]
    public async Task<int> Kestrel()
    {
        using var response = await _http.GetAsync(Path);
        _ = await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _kestrel.DisposeAsync().AsTask().GetAwaiter().GetResult();
        ((IAsyncDisposable)_lambdaApp).DisposeAsync().AsTask().GetAwaiter().GetResult();
        ((IAsyncDisposable)_direct).DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
