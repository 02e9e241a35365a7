using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Runtime;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.AspNetCore;

/// <summary>What the app saw of one request, recorded before the body is read so a failing body still leaves a record.</summary>
internal sealed record ArrivedRequest(
    string Method,
    string Scheme,
    string PathBase,
    string Path,
    string QueryString,
    Dictionary<string, string[]> Query,
    IHeaderDictionary Headers,
    IRequestCookieCollection Cookies,
    bool IsAuthenticated,
    string? AuthenticationType,
    Dictionary<string, string> Claims,
    string? RemoteIp,
    string TraceIdentifier,
    ILambdaHttpFeature? Lambda)
{
    public string? Body { get; set; }
    public string? BodyError { get; set; }
}

/// <summary>
/// A small minimal-API app behind the Lambda server: it records what arrived and answers with headers that show
/// the response modes (a repeated header, two cookies), or with binary, compressed or failing responses.
/// </summary>
internal sealed class EchoApp : IAsyncDisposable
{
    private readonly ILambdaFunction function;

    private EchoApp(ILambdaFunction function, MemoryStream logs)
    {
        this.function = function;
        Logs = logs;
    }

    public List<ArrivedRequest> Arrived { get; } = [];

    public MemoryStream Logs { get; }

    public ArrivedRequest Last => Assert.Single(Arrived);

    public static async Task<EchoApp> StartAsync(CancellationToken cancellationToken)
    {
        var logs = new MemoryStream();
        var builder = WebApplication.CreateSlimBuilder();
        builder.UseLambdaServer(always: true);
        builder.Logging.AddLambdaJsonLogging(options =>
        {
            options.Output = logs;
            options.Environment = new TestEnvironment();
        });
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        var app = builder.Build();

        EchoApp? echo = null;
        app.MapGet("/binary", () => Results.Bytes([0, 1, 2, 254, 255], "application/octet-stream"));
        app.MapGet("/svg", () => Results.Text("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml"));
        app.MapGet("/gzip", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.Headers.ContentEncoding = "gzip";
            await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await gzip.WriteAsync("compressed text"u8.ToArray(), context.RequestAborted);
        });
        app.MapGet("/throw", string () => throw new InvalidOperationException("secret internals: connection string xyz"));
        app.Map("/{**path}", (HttpContext context) => echo!.EchoAsync(context));

        var function = await app.StartLambdaFunctionAsync(cancellationToken);
        echo = new EchoApp(function, logs);
        return echo;
    }

    public async Task<JsonObject> InvokeAsync(byte[] payload, CancellationToken cancellationToken, string requestId = "lambda-request-1")
    {
        var context = new LambdaContext(TimeProvider.System)
        {
            AwsRequestId = requestId,
            Deadline = DateTimeOffset.UtcNow.AddMinutes(1),
        };
        var response = await function.InvokeAsync(payload, context, cancellationToken);
        return JsonNode.Parse(response.Span)!.AsObject();
    }

    private async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        var arrived = new ArrivedRequest(
            request.Method,
            request.Scheme,
            request.PathBase.Value ?? string.Empty,
            request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty,
            request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.Select(value => value ?? string.Empty).ToArray()),
            request.Headers,
            request.Cookies,
            context.User.Identity?.IsAuthenticated ?? false,
            context.User.Identity?.AuthenticationType,
            context.User.Claims.ToDictionary(claim => claim.Type, claim => claim.Value),
            context.Connection.RemoteIpAddress?.ToString(),
            context.TraceIdentifier,
            context.GetLambdaFeature());
        Arrived.Add(arrived);

        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            arrived.Body = body.Length == 0 ? null : body;
        }
        catch (BadHttpRequestException exception)
        {
            arrived.BodyError = exception.Message;
            throw;
        }

        context.Response.Headers.Append("X-Multi", "one");
        context.Response.Headers.Append("X-Multi", "two");
        context.Response.Cookies.Append("a", "1");
        context.Response.Cookies.Append("b", "2");
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"echo\":\"ok\"}", context.RequestAborted);
    }

    public ValueTask DisposeAsync() => function is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
