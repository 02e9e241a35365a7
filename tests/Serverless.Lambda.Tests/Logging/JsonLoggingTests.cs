using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Tests.AspNetCore;
using Serverless.Lambda.Tests.Runtime;
using Serverless.Lambda.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Logging;

public sealed class JsonLoggingTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, 123, TimeSpan.Zero);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static (ILoggerFactory Factory, MemoryStream Output) CreateLogging(Dictionary<string, string?> variables)
    {
        var output = new MemoryStream();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddLambdaJsonLogging(options =>
            {
                options.Output = output;
                options.TimeProvider = new ManualTimeProvider(Now);
                options.Environment = new TestEnvironment(variables);
            }));
        return (services.BuildServiceProvider().GetRequiredService<ILoggerFactory>(), output);
    }

    [Fact]
    public async Task Log_lines_of_invocations_carry_the_lambda_fields_and_cold_start_only_on_the_first()
    {
        var (factory, output) = CreateLogging(new()
        {
            ["SERVICE_NAME"] = "orders",
            [LambdaEnvironmentVariables.FunctionName] = "orders-api",
        });
        var logger = factory.CreateLogger("Orders.Handler");
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var bootstrap = new LambdaBootstrap(new RuntimeApiClient(fake.HostAndPort), new TestEnvironment(), new ManualTimeProvider(Now));
        fake.Enqueue(new QueuedInvocation("first", "{}"u8.ToArray(), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", 0, null));
        fake.Enqueue(new QueuedInvocation("second", "{}"u8.ToArray(), null, 0, null));
        var function = LambdaFunction.Create((payload, context, _) =>
        {
            logger.LogInformation("Handled {Count} items", 3);
            return ValueTask.FromResult(payload);
        });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        await fake.TakePostsAsync(2, Token);
        await stop.CancelAsync();
        await run;

        var lines = LogLines.Parse(output);
        Assert.Equal(2, lines.Count);
        var first = lines[0];
        Assert.Equal("2024-05-01T12:00:00.123Z", (string)first["timestamp"]!);
        Assert.Equal("INFO", (string)first["level"]!);
        Assert.Equal("Handled 3 items", (string)first["message"]!);
        Assert.Equal("orders", (string)first["service"]!);
        Assert.True((bool)first["cold_start"]!);
        Assert.Equal("orders-api", (string)first["function_name"]!);
        Assert.Equal("first", (string)first["function_request_id"]!);
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", (string)first["xray_trace_id"]!);
        Assert.Equal("Orders.Handler", (string)first["name"]!);

        var second = lines[1];
        Assert.False((bool)second["cold_start"]!);
        Assert.Equal("second", (string)second["function_request_id"]!);
        Assert.Null(second["xray_trace_id"]);
    }

    [Fact]
    public void Outside_lambda_the_service_defaults_and_the_hosts_request_id_scope_names_the_request()
    {
        var (factory, output) = CreateLogging([]);
        var logger = factory.CreateLogger("Api");

        using (logger.BeginScope(new List<KeyValuePair<string, object?>> { new("RequestId", "0HN1:00000001"), new("RequestPath", "/users/someone@example.com") }))
        {
            logger.LogWarning(new InvalidOperationException("boom"), "Slow operation");
        }

        var line = Assert.Single(LogLines.Parse(output));
        Assert.Equal("serverless", (string)line["service"]!);
        Assert.Equal("WARN", (string)line["level"]!);
        Assert.False((bool)line["cold_start"]!);
        Assert.Null(line["function_name"]);
        Assert.Equal("0HN1:00000001", (string)line["function_request_id"]!);
        Assert.Equal("System.InvalidOperationException", (string)line["exception"]!["type"]!);
        Assert.Equal("boom", (string)line["exception"]!["message"]!);
        Assert.DoesNotContain("someone@example.com", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_a_request_never_logs_its_authorization_header_cookies_claims_or_body()
    {
        await using var app = await EchoApp.StartAsync(Token);

        await app.InvokeAsync(Samples.Bytes("authtest-access-request.json"), Token);
        await app.InvokeAsync(Samples.Bytes("cookies-get-multiple-httpapi-v2-request.json"), Token);
        await app.InvokeAsync(Samples.Bytes("proxy-event.json"), Token);

        var logs = Encoding.UTF8.GetString(app.Logs.ToArray());
        Assert.NotEmpty(LogLines.Parse(app.Logs)); // trace-level hosting logs were written, and each line is JSON
        Assert.DoesNotContain("eyJraWQiOiJLdXprWCtcL0E4MWlVZGU5QSt2SFBMdzZCTUFmQzVqUGJ1NTZiT0VGNXdkaz0i", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("TestValue2", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("normj", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("a\\\": 1", logs, StringComparison.Ordinal); // the body as it would appear escaped in a JSON line
        Assert.DoesNotContain("\"a\": 1", logs, StringComparison.Ordinal);
    }
}
