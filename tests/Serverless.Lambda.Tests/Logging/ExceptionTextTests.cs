using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Tests.Runtime;
using Serverless.Lambda.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Logging;

/// <summary>
/// An exception whose message quotes an item key, an email, a phone or an attribute value never reaches a log line or
/// an error report as it is: the type and what failed are kept, the values are masked.
/// </summary>
public sealed class ExceptionTextTests
{
    private const string KeyBearing =
        "Condition failed for key EMAIL#zed.example@example.com / PROFILE with {\"S\":\"Zed Example\"} and phone +14155550123.";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("EMAIL#zed@example.com", "EMAIL#<redacted>")]
    [InlineData("key USER#7f0c/ORDER#2024 missing", "key USER#<redacted> missing")]
    [InlineData("CITY#london,WORD#ada", "CITY#<redacted>,WORD#<redacted>")]
    [InlineData("sent to zed@example.com.", "sent to <redacted>")]
    [InlineData("{\"name\":{\"S\":\"Zed \\\"Z\\\" Example\"}}", "{\"name\":{\"S\":\"<redacted>\"}}")]
    [InlineData("call +442071234567 now", "call <redacted> now")]
    public void Values_that_identify_a_person_or_an_item_are_masked(string message, string expected) =>
        Assert.Equal(expected, ExceptionText.Redact(message));

    [Theory]
    [InlineData("Api:MaxRequestBodyBytes must be positive.")]
    [InlineData("Unknown handler 'Purge'. Set the function's Handler (_HANDLER) to one of: Api, Audit.")]
    [InlineData("The conditional request failed")]
    [InlineData("Requested resource not found: Table: users not found")]
    public void Messages_without_such_values_are_kept_so_a_setting_error_still_says_what_to_fix(string message) =>
        Assert.Equal(message, ExceptionText.Redact(message));

    [Fact]
    public void A_logged_exception_whose_message_carries_a_key_is_written_with_its_type_and_no_values()
    {
        var output = new MemoryStream();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddLambdaJsonLogging(options => options.Output = output));
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Test");

        logger.LogError(new InvalidOperationException(KeyBearing, new FormatException("inner zed@example.com")), "Write failed");

        var text = Encoding.UTF8.GetString(output.ToArray());
        AssertCarriesNoValues(text);
        var exception = LogLines.Parse(output).Single()["exception"]!;
        Assert.Equal("System.InvalidOperationException", (string)exception["type"]!);
        Assert.StartsWith("Condition failed for key EMAIL#<redacted>", (string)exception["message"]!, StringComparison.Ordinal);
        Assert.Equal("System.FormatException", (string)exception["inner_types"]![0]!);
    }

    [Fact]
    public async Task A_failed_invocation_reports_and_logs_its_error_without_the_values_in_its_message()
    {
        var output = new MemoryStream();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddLambdaJsonLogging(options => options.Output = output));
        await using var provider = services.BuildServiceProvider();
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var bootstrap = new LambdaBootstrap(
            new RuntimeApiClient(fake.HostAndPort), new TestEnvironment(), new ManualTimeProvider(DateTimeOffset.UnixEpoch),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Bootstrap"));
        fake.Enqueue(new QueuedInvocation("request-1", "{}"u8.ToArray(), null, 0, null));
        var function = LambdaFunction.Create((_, _, _) => throw new InvalidOperationException(KeyBearing, new FormatException(KeyBearing)));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var post = Assert.Single(await fake.TakePostsAsync(1, Token));
        await stop.CancelAsync();
        await run;

        Assert.Equal("error", post.Kind);
        AssertCarriesNoValues(Encoding.UTF8.GetString(post.Body));
        Assert.NotNull(post.XRayCause);
        AssertCarriesNoValues(post.XRayCause);
        var report = JsonNode.Parse(post.Body)!;
        Assert.StartsWith("Condition failed for key EMAIL#<redacted>", (string)report["errorMessage"]!, StringComparison.Ordinal);
        Assert.StartsWith("Condition failed for key EMAIL#<redacted>", (string)report["cause"]!["errorMessage"]!, StringComparison.Ordinal);
        var logged = Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("Invocation failed", logged, StringComparison.Ordinal);
        AssertCarriesNoValues(logged);
    }

    private static void AssertCarriesNoValues(string text)
    {
        Assert.DoesNotContain("example.com", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Zed Example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("4155550123", text, StringComparison.Ordinal);
    }
}
