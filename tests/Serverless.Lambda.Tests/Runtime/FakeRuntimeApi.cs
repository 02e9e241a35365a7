using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Tests.Runtime;

internal sealed record QueuedInvocation(string RequestId, byte[] Payload, string? TraceId, long DeadlineMs, string? FunctionArn);

/// <summary>What the runtime sent back: a response, an invocation error or an init error.</summary>
internal sealed record RuntimePost(string Kind, string? RequestId, string? ErrorType, byte[] Body, string? XRayCause = null)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// The Lambda Runtime API's invocation endpoints over real HTTP on 127.0.0.1, so the real client and loop are driven.
/// Next-invocation calls wait for queued events, as Lambda's long poll does.
/// </summary>
internal sealed class FakeRuntimeApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Channel<QueuedInvocation> pending = Channel.CreateUnbounded<QueuedInvocation>();
    private readonly Channel<RuntimePost> posts = Channel.CreateUnbounded<RuntimePost>();
    private int nextCalls;

    private FakeRuntimeApi(WebApplication app) => this.app = app;

    public string HostAndPort { get; private set; } = string.Empty;

    public int NextCalls => Volatile.Read(ref nextCalls);

    /// <summary>The largest response body accepted; a larger one is answered 413, as Lambda answers one over 6 MB.</summary>
    public long MaxResponseBytes { get; set; } = 6_291_556;

    /// <summary>Responses refused with 413, which (as on Lambda) are no response.</summary>
    public int RefusedResponses => Volatile.Read(ref refused);

    private int refused;

    public static async Task<FakeRuntimeApi> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeRuntimeApi(app);

        app.MapGet("/2018-06-01/runtime/invocation/next", fake.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", (string id, HttpContext context) => fake.RecordAsync("response", id, context));
        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", (string id, HttpContext context) => fake.RecordAsync("error", id, context));
        app.MapPost("/2018-06-01/runtime/init/error", (HttpContext context) => fake.RecordAsync("init-error", null, context));

        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        fake.HostAndPort = $"{address.Host}:{address.Port}";
        return fake;
    }

    public void Enqueue(QueuedInvocation invocation) => pending.Writer.TryWrite(invocation);

    public async Task<List<RuntimePost>> TakePostsAsync(int count, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var taken = new List<RuntimePost>(count);
        while (taken.Count < count)
        {
            taken.Add(await posts.Reader.ReadAsync(timeout.Token));
        }

        return taken;
    }

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref nextCalls);
        QueuedInvocation invocation;
        try
        {
            invocation = await pending.Reader.ReadAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.DeadlineMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (invocation.FunctionArn is not null)
        {
            headers["Lambda-Runtime-Invoked-Function-Arn"] = invocation.FunctionArn;
        }

        if (invocation.TraceId is not null)
        {
            headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(invocation.Payload, context.RequestAborted);
    }

    private async Task RecordAsync(string kind, string? requestId, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (kind == "response" && body.Length > MaxResponseBytes)
        {
            Interlocked.Increment(ref refused);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        var cause = context.Request.Headers["Lambda-Runtime-Function-XRay-Error-Cause"].ToString();
        await posts.Writer.WriteAsync(
            new RuntimePost(kind, requestId, errorType.Length == 0 ? null : errorType, body.ToArray(), cause.Length == 0 ? null : cause),
            context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
