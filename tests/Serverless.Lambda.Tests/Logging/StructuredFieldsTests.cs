using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Logging;

/// <summary>
/// Only the events named as structured (access lines, slow operations, batch summaries) get their template values as
/// fields of the line; a logger scope's CorrelationId becomes correlation_id on every line written inside it.
/// </summary>
public sealed class StructuredFieldsTests
{
    private static (ILoggerFactory Factory, MemoryStream Output) CreateLogging()
    {
        var output = new MemoryStream();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddLambdaJsonLogging(options =>
            {
                options.Output = output;
                options.TimeProvider = new ManualTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
                options.Environment = new TestEnvironment();
            }));
        return (services.BuildServiceProvider().GetRequiredService<ILoggerFactory>(), output);
    }

    [Fact]
    public void A_structured_event_writes_its_values_as_typed_fields_and_cannot_overwrite_the_line_s_own()
    {
        var (factory, output) = CreateLogging();
        var logger = factory.CreateLogger("Api.Access");
        logger.Log(
            LogLevel.Information,
            new EventId(1, LambdaJsonLoggerOptions.AccessLogEvent),
            "{route} answered {status} in {duration_ms} ms ({level})",
            "/users/{id}", 200, 12.34567, "forged");

        var line = Assert.Single(LogLines.Parse(output));
        Assert.Equal("/users/{id}", (string?)line["route"]);
        Assert.Equal(200, (int)line["status"]!);
        Assert.Equal(12.346, (double)line["duration_ms"]!);
        Assert.Equal("INFO", (string?)line["level"]);
        Assert.False(line.ContainsKey("{OriginalFormat}"));
        Assert.Equal("/users/{id} answered 200 in 12.34567 ms (forged)", (string?)line["message"]);
    }

    [Fact]
    public void Any_other_event_keeps_its_values_in_the_message_only()
    {
        var (factory, output) = CreateLogging();
        factory.CreateLogger("Orders").LogInformation("Order for {email} placed", "someone@example.org");

        var line = Assert.Single(LogLines.Parse(output));
        Assert.False(line.ContainsKey("email"));
    }

    [Fact]
    public void Lines_inside_a_correlation_scope_carry_its_id_and_lines_outside_do_not()
    {
        var (factory, output) = CreateLogging();
        var logger = factory.CreateLogger("Api");
        using (logger.BeginScope(new Dictionary<string, object?> { ["CorrelationId"] = "probe-42" }))
        {
            factory.CreateLogger("Data").LogWarning("inside");
        }

        logger.LogWarning("outside");
        var lines = LogLines.Parse(output);
        Assert.Equal("probe-42", (string?)lines[0]["correlation_id"]);
        Assert.False(lines[1].ContainsKey("correlation_id"));
    }
}
