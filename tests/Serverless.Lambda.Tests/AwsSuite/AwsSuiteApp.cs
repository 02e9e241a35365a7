using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Runtime;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.AwsSuite;

/// <summary>
/// The routes of the web app that AWS's ASP.NET Core server tests drive (aws/aws-lambda-dotnet,
/// Libraries/test/TestWebApp), written here as minimal APIs that answer what its controllers answer, so AWS's request
/// samples and assertions can be run against our adapter. What a route answers is what the AWS assertions read:
/// the values, the query, the body, the claims, the client certificate, the trace identifier, and for anything else
/// the path, path base and raw target the app saw.
/// </summary>
internal sealed class AwsSuiteApp : IAsyncDisposable
{
    public const string SampleFolder = "aws-aspnetcoreserver";

    private readonly ILambdaFunction function;

    private AwsSuiteApp(ILambdaFunction function, MemoryStream logs)
    {
        this.function = function;
        Logs = logs;
    }

    public MemoryStream Logs { get; }

    public static byte[] Sample(string name) => Samples.Bytes(Path.Combine(SampleFolder, name));

    public static async Task<AwsSuiteApp> StartAsync(CancellationToken cancellationToken)
    {
        var logs = new MemoryStream();
        var builder = WebApplication.CreateSlimBuilder();
        builder.UseLambdaServer(always: true);
        builder.Logging.AddLambdaJsonLogging(options =>
        {
            options.Output = logs;
            options.Environment = new TestEnvironment();
        });
        builder.Services.AddResponseCompression(options =>
        {
            options.Providers.Add<GzipCompressionProvider>();
            options.EnableForHttps = true;
            options.MimeTypes = ["application/json-compress"];
        });
        var app = builder.Build();
        app.UseResponseCompression();

        var values = Json(new JsonArray("value1", "value2"));
        app.MapGet("/api/values", () => values);
        app.MapGet("/api/values/{id:int}", (int id) => "value");
        app.MapPut("/api/values/no-body", () => Results.Accepted());
        app.MapPut("/api/values/{id:int}", (int id) => Results.Ok());
        app.MapDelete("/api/values/{id:int}", (int id) => Results.Ok());
        app.MapPost("/api/values", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            _ = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            return $"Request content length: {request.ContentLength}\n";
        });

        app.MapGet("/api/resourcepath", () => values);
        app.MapGet("/api/resourcepath/{id}", (string id) => "value=" + id);
        app.MapGet("/api/resourcepath/string/{**value}", (string value) => "value=" + value);
        app.MapGet("/api/resourcepath/encoding/{first}/{second}", (string first, string second) => Json(new JsonObject { ["first"] = first, ["second"] = second }));
        app.MapGet("/api/resourcepath/encoding/{only}", (string only) => Json(new JsonObject { ["only"] = only }));

        app.MapGet("/api/querystring", (HttpRequest request) =>
            request.Query.TryGetValue("mv-test", out var many)
                ? string.Join(",", many.ToArray())
                : $"{request.Query["firstName"]}, {request.Query["lastName"]}");
        app.MapGet("/api/rawquerystring", (HttpRequest request) => request.QueryString.ToString());
        app.MapGet("/api/rawquerystring/json", (HttpRequest request) => Json(new JsonObject
        {
            ["url"] = request.Query["url"].ToString(),
            ["testDateTimeOffset"] = DateTimeOffset.Parse(request.Query["testDateTimeOffset"].ToString(), System.Globalization.CultureInfo.InvariantCulture).ToString("O"),
        }));

        app.MapPut("/api/bodytests", async (HttpRequest request) =>
        {
            var person = (await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted))!.AsObject();
            return $"{person["lastName"] ?? person["LastName"]}, {person["firstName"] ?? person["FirstName"]}";
        });

        app.MapGet("/api/errortests", string (string? id) =>
        {
            if (id == "typeload-test")
            {
                throw new ReflectionTypeLoadException([typeof(string)], [new FileNotFoundException("Couldn't find file", "System.String.dll")]);
            }

            var failure = new InvalidOperationException("Unit test exception, for test conditions.");
            throw id == "aggregate-test" ? new AggregateException(failure) : failure;
        });

        // AWS's app guards this route with a policy requiring the claim; the adapter's part is the principal it builds.
        app.MapGet("/api/authtest", (HttpContext context) =>
            context.User.HasClaim(c => c.Type == "you_are_special") ? Results.Text("You Have Access") : Results.StatusCode(StatusCodes.Status403Forbidden));
        app.MapGet("/api/mtlstest", (HttpContext context) => context.Connection.ClientCertificate?.Subject ?? string.Empty);
        app.MapGet("/api/tracetests", (HttpContext context) => context.TraceIdentifier);

        app.MapGet("/api/cookietests", (HttpResponse response) =>
        {
            response.Cookies.Append("TestCookie", "TestValue", new CookieOptions { Expires = DateTimeOffset.UtcNow.AddMinutes(5) });
            return string.Empty;
        });
        app.MapGet("/api/cookietests/multiple", (HttpResponse response) =>
        {
            response.Cookies.Append("TestCookie1", "TestValue1", new CookieOptions { Expires = DateTimeOffset.UtcNow.AddMinutes(5) });
            response.Cookies.Append("TestCookie2", "TestValue2", new CookieOptions { Expires = DateTimeOffset.UtcNow.AddMinutes(5) });
            return string.Empty;
        });
        app.MapGet("/api/cookietests/{id}", (string id, HttpRequest request) => request.Cookies[id] ?? string.Empty);

        app.MapGet("/api/binary", () => Results.Bytes(Enumerable.Range(0, byte.MaxValue).Select(i => (byte)i).ToArray(), "application/octet-stream"));
        app.MapPut("/api/binary", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        });
        app.MapGet("/api/compressresponse", () => Results.Text("[\"value1\",\"value2\"]", "application/json-compress"));
        app.MapGet("/api/redirecttest", () => Results.Redirect("redirecttarget"));
        app.MapGet("/api/requestservicesexample", (HttpContext context) => context.RequestServices.GetType().FullName ?? string.Empty);

        // What no route above takes: AWS's app answers it after its endpoints with what the request looked like.
        app.MapFallback(async (HttpContext context) =>
        {
            var query = new JsonObject();
            foreach (var (key, entries) in context.Request.Query)
            {
                query[key] = new JsonArray([.. entries.Select(v => (JsonNode?)JsonValue.Create(v))]);
            }

            var echo = new JsonObject
            {
                // As AWS's app writes them: the PathString's escaped form.
                ["Path"] = context.Request.Path.ToString(),
                ["PathBase"] = context.Request.PathBase.ToString(),
                ["RawTarget"] = context.Features.Get<IHttpRequestFeature>()?.RawTarget,
                ["QueryVariables"] = query,
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(echo.ToJsonString(), context.RequestAborted);
        });

        var function = await app.StartLambdaFunctionAsync(cancellationToken);
        return new AwsSuiteApp(function, logs);
    }

    public async Task<JsonObject> InvokeAsync(byte[] payload, CancellationToken cancellationToken, string requestId = "aws-suite-request", string? traceId = null)
    {
        var context = new LambdaContext(TimeProvider.System)
        {
            AwsRequestId = requestId,
            TraceId = traceId,
            Deadline = DateTimeOffset.UtcNow.AddMinutes(1),
        };
        var response = await function.InvokeAsync(payload, context, cancellationToken);
        return JsonNode.Parse(response.Span)!.AsObject();
    }

    public Task<JsonObject> InvokeAsync(string sample, CancellationToken cancellationToken) => InvokeAsync(Sample(sample), cancellationToken);

    public ValueTask DisposeAsync() => function is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), "application/json; charset=utf-8");
}

/// <summary>Reads the parts of a Lambda HTTP response document the AWS assertions look at, in any of the three formats.</summary>
internal static class LambdaResponses
{
    public static int Status(this JsonObject response) => response["statusCode"]!.GetValue<int>();

    public static string Body(this JsonObject response)
    {
        var body = response["body"]?.GetValue<string>() ?? string.Empty;
        return response["isBase64Encoded"]?.GetValue<bool>() == true ? Encoding.UTF8.GetString(Convert.FromBase64String(body)) : body;
    }

    public static byte[] BodyBytes(this JsonObject response)
    {
        var body = response["body"]?.GetValue<string>() ?? string.Empty;
        return response["isBase64Encoded"]?.GetValue<bool>() == true ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
    }

    /// <summary>A header's values from <c>multiValueHeaders</c> when the format has them, else from <c>headers</c>.</summary>
    public static IReadOnlyList<string?> Header(this JsonObject response, string name)
    {
        if (response["multiValueHeaders"] is JsonObject multi)
        {
            foreach (var (key, value) in multi)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return [.. value!.AsArray().Select(v => v?.GetValue<string>())];
                }
            }
        }

        if (response["headers"] is JsonObject single)
        {
            foreach (var (key, value) in single)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return [value?.GetValue<string>()];
                }
            }
        }

        return [];
    }

    public static JsonObject BodyJson(this JsonObject response) => JsonNode.Parse(response.Body())!.AsObject();

    public static IReadOnlyList<string> Cookies(this JsonObject response) =>
        response["cookies"] is JsonArray cookies ? [.. cookies.Select(c => c!.GetValue<string>())] : [];

    public static string Decompressed(this JsonObject response)
    {
        using var compressed = new MemoryStream(response.BodyBytes());
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static JsonElement AsElement(this JsonObject node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
}
