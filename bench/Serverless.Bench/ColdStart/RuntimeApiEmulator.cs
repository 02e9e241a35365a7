using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Bench.ColdStart;

/// <summary>
/// The Lambda Runtime API (2018-06-01) for one function process at a time: the first <c>next</c> gets the
/// session's event, later ones wait (as an idle Lambda environment does) until the process is stopped. The
/// response or error ends the session, stamped with the time it arrived and the process's peak RSS at that moment.
/// </summary>
public sealed class RuntimeApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private ColdStartSession? _session;

    private RuntimeApiEmulator(WebApplication app) => _app = app;

    public string HostAndPort { get; private set; } = "";

    public static async Task<RuntimeApiEmulator> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var emulator = new RuntimeApiEmulator(app);

        app.MapGet("/2018-06-01/runtime/invocation/next", emulator.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/response", emulator.ResponseAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/error", emulator.ErrorAsync);
        app.MapPost("/2018-06-01/runtime/init/error", emulator.InitErrorAsync);

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.HostAndPort = new Uri(address).Authority;
        return emulator;
    }

    /// <summary>Arms the emulator for the next process: it will hand out <paramref name="payload"/> once.</summary>
    public ColdStartSession Begin(byte[] payload)
    {
        var session = new ColdStartSession(payload);
        _session = session;
        return session;
    }

    private async Task NextAsync(HttpContext http)
    {
        var session = _session;
        if (session is null || !session.TryTakeInvocation())
        {
            // Idle between invocations: hold the call open until the process goes away.
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        session.MarkInitDone();
        var headers = http.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = session.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:bench-ApiFunction";
        headers["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(session.Payload, http.RequestAborted);
    }

    private async Task ResponseAsync(HttpContext http, string requestId)
    {
        var body = await ReadAsync(http);
        _session?.Complete(requestId, body, failed: false);
        http.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task ErrorAsync(HttpContext http, string requestId)
    {
        var body = await ReadAsync(http);
        _session?.Complete(requestId, body, failed: true);
        http.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task InitErrorAsync(HttpContext http)
    {
        var body = await ReadAsync(http);
        _session?.Complete(_session.RequestId, body, failed: true);
        http.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static async Task<byte[]> ReadAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One process start: from <see cref="Started"/> to its first response.</summary>
public sealed class ColdStartSession(byte[] payload)
{
    private readonly TaskCompletionSource<ColdStartOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;
    private long _initDone;

    public string RequestId { get; } = Guid.NewGuid().ToString();

    public byte[] Payload { get; } = payload;

    public Stopwatch Clock { get; } = new();

    public int ProcessId { get; set; }

    public Task<ColdStartOutcome> Outcome => _outcome.Task;

    public bool TryTakeInvocation() => Interlocked.Exchange(ref _taken, 1) == 0;

    public void MarkInitDone() => Interlocked.CompareExchange(ref _initDone, Clock.ElapsedTicks, 0);

    public void Complete(string requestId, byte[] body, bool failed)
    {
        var elapsed = Clock.Elapsed;
        // Read while the process still runs (it is waiting on its next invocation): its peak RSS so far.
        var peak = PeakRss.Of(ProcessId);
        var init = TimeSpan.FromSeconds(Interlocked.Read(ref _initDone) / (double)Stopwatch.Frequency);
        _outcome.TrySetResult(new ColdStartOutcome(requestId == RequestId && !failed, elapsed, init, peak, body));
    }
}

public sealed record ColdStartOutcome(bool Succeeded, TimeSpan FirstResponse, TimeSpan Init, long PeakRssBytes, byte[] Body);

/// <summary>Peak resident set size from /proc (VmHWM): what Lambda bills memory against.</summary>
public static class PeakRss
{
    public static long Of(int processId)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
