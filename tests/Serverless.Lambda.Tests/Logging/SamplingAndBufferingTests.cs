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
/// Debug sampling and log buffering as Powertools does them, through the logging framework's own filters (the
/// factory a function builds), with invocations begun as the runtime loop begins them.
/// </summary>
public sealed class SamplingAndBufferingTests
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private sealed class Logging : IDisposable
    {
        private readonly ServiceProvider services;

        public Logging(Action<LambdaJsonLoggerOptions> configure, Dictionary<string, string?>? variables = null)
        {
            var collection = new ServiceCollection();
            collection.AddLogging(logging => logging.AddLambdaJsonLogging(options =>
            {
                options.Output = Output;
                options.TimeProvider = Clock;
                options.Environment = new TestEnvironment(variables);
                configure(options);
            }));
            services = collection.BuildServiceProvider();
            Logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Orders.Handler");
        }

        public MemoryStream Output { get; } = new();

        public ManualTimeProvider Clock { get; } = new(Start);

        public ILogger Logger { get; }

        public List<JsonObject> Lines
        {
            get
            {
                lock (Output)
                {
                    return LogLines.Parse(Output);
                }
            }
        }

        public List<string> Messages => Lines.Select(l => (string)l["message"]!).ToList();

        public void Dispose() => services.Dispose();
    }

    /// <summary>A sampler that hands out the given draws in turn.</summary>
    private static Func<double> Draws(params double[] draws)
    {
        var next = 0;
        return () => draws[Interlocked.Increment(ref next) - 1];
    }

    [Fact]
    public void A_sampled_invocation_logs_at_debug_and_says_so_once_while_an_unsampled_one_keeps_the_configured_level()
    {
        using var logging = new Logging(o =>
        {
            o.SamplingRate = 0.5;
            o.Sampler = Draws(0.2, 0.7);
        });

        using (LambdaLogContext.Begin("sampled", null, coldStart: true))
        {
            logging.Logger.LogDebug("first detail");
            logging.Logger.LogDebug("second detail");
            logging.Logger.LogInformation("done");
        }

        using (LambdaLogContext.Begin("not-sampled", null, coldStart: false))
        {
            logging.Logger.LogDebug("hidden detail");
            logging.Logger.LogInformation("done again");
        }

        var lines = logging.Lines;
        Assert.Equal(
            ["This invocation is sampled: it logs at DEBUG (sampling rate 0.5, sampler value 0.2).", "first detail", "second detail", "done", "done again"],
            lines.Select(l => (string)l["message"]!));
        Assert.Equal("DEBUG", (string)lines[0]["level"]!);
        Assert.Equal("sampled", (string)lines[0]["function_request_id"]!);
        Assert.All(lines, l => Assert.Equal(0.5, (double)l["sampling_rate"]!));
    }

    [Fact]
    public void The_environments_sample_rate_takes_precedence_over_the_option()
    {
        using var logging = new Logging(
            o =>
            {
                o.SamplingRate = 0;
                o.Sampler = Draws(0.99);
            },
            new() { [LambdaJsonLoggerOptions.SampleRateVariable] = "1" });

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            logging.Logger.LogDebug("detail");
        }

        Assert.Contains("detail", logging.Messages);
    }

    [Theory]
    [InlineData("ten percent")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void An_invalid_sample_rate_is_named_in_a_warning_and_samples_nothing(string value)
    {
        using var logging = new Logging(o => o.Sampler = Draws(0.0), new() { [LambdaJsonLoggerOptions.SampleRateVariable] = value });

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            logging.Logger.LogDebug("detail");
            logging.Logger.LogInformation("done");
        }

        var lines = logging.Lines;
        Assert.Equal(2, lines.Count);
        Assert.Equal("WARN", (string)lines[0]["level"]!);
        Assert.Contains(LambdaJsonLoggerOptions.SampleRateVariable, (string)lines[0]["message"]!, StringComparison.Ordinal);
        Assert.Contains("no invocation is sampled", (string)lines[0]["message"]!, StringComparison.Ordinal);
        Assert.Equal("done", (string)lines[1]["message"]!);
        Assert.Null(lines[1]["sampling_rate"]);
    }

    [Fact]
    public void The_level_comes_from_POWERTOOLS_LOG_LEVEL()
    {
        using var logging = new Logging(_ => { }, new() { [LambdaJsonLoggerOptions.LogLevelVariable] = "WARN" });

        logging.Logger.LogInformation("routine");
        logging.Logger.LogWarning("odd");

        Assert.Equal(["odd"], logging.Messages);
    }

    [Fact]
    public void Buffered_debug_lines_are_written_before_the_error_that_flushes_them_with_their_own_timestamps()
    {
        using var logging = new Logging(o => o.Buffering.Enabled = true);

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            logging.Logger.LogDebug("looked up the order");
            logging.Clock.Advance(TimeSpan.FromSeconds(2));
            logging.Logger.LogInformation("charging");
            logging.Clock.Advance(TimeSpan.FromSeconds(3));
            logging.Logger.LogError("charge refused");
        }

        var lines = logging.Lines;
        Assert.Equal(["charging", "looked up the order", "charge refused"], lines.Select(l => (string)l["message"]!));
        Assert.Equal("DEBUG", (string)lines[1]["level"]!);
        Assert.Equal("2024-05-01T12:00:00Z", (string)lines[1]["timestamp"]!);
        Assert.Equal("2024-05-01T12:00:05Z", (string)lines[2]["timestamp"]!);
        Assert.Equal("r1", (string)lines[1]["function_request_id"]!);
    }

    [Fact]
    public void An_invocation_that_logs_only_debug_lines_writes_none_of_them()
    {
        using var logging = new Logging(o => o.Buffering.Enabled = true);

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            logging.Logger.LogDebug("detail one");
            logging.Logger.LogTrace("below the buffer's level");
            logging.Logger.LogDebug("detail two");
        }

        Assert.Empty(logging.Lines);
    }

    [Fact]
    public void Lines_buffered_in_one_invocation_never_appear_in_the_next()
    {
        using var logging = new Logging(o => o.Buffering.Enabled = true);

        using (LambdaLogContext.Begin("first", null, coldStart: true))
        {
            logging.Logger.LogDebug("first invocation's detail");
        }

        using (LambdaLogContext.Begin("second", null, coldStart: false))
        {
            logging.Logger.LogDebug("second invocation's detail");
            logging.Logger.LogError("second invocation failed");
        }

        Assert.Equal(["second invocation's detail", "second invocation failed"], logging.Messages);
        Assert.All(logging.Lines, l => Assert.Equal("second", (string)l["function_request_id"]!));
    }

    [Fact]
    public void Outside_an_invocation_nothing_is_buffered()
    {
        using var logging = new Logging(o => o.Buffering.Enabled = true);

        logging.Logger.LogDebug("during init");
        using (LambdaLogContext.Begin("r1", null, coldStart: true))
        {
            logging.Logger.LogError("failed");
        }

        Assert.Equal(["failed"], logging.Messages);
    }

    [Fact]
    public async Task Lines_buffered_by_concurrent_tasks_of_one_invocation_are_all_written_whole_before_the_error()
    {
        using var logging = new Logging(o =>
        {
            o.Buffering.Enabled = true;
            o.Buffering.MaxBytes = 10_000_000;
        });

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(task => Task.Run(
                () =>
                {
                    for (var i = 0; i < 50; i++)
                    {
                        logging.Logger.LogDebug("task {Task} line {Line}", task, i);
                    }
                },
                Token)));
            logging.Logger.LogError("failed");
        }

        var messages = logging.Messages;
        Assert.Equal(401, messages.Count);
        Assert.Equal("failed", messages[^1]);
        for (var task = 0; task < 8; task++)
        {
            // Each task's lines in the order it logged them.
            var mine = messages.Where(m => m.StartsWith($"task {task} ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"task {task} line {i}"), mine);
        }
    }

    [Fact]
    public void A_full_buffer_drops_its_oldest_lines_and_one_line_says_how_many()
    {
        using var logging = new Logging(o =>
        {
            o.Buffering.Enabled = true;
            o.Buffering.MaxBytes = 1500;
        });

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            for (var i = 0; i < 20; i++)
            {
                logging.Logger.LogDebug("detail {Index}", i);
            }

            logging.Logger.LogError("failed");
        }

        var messages = logging.Messages;
        var kept = messages.Where(m => m.StartsWith("detail ", StringComparison.Ordinal)).ToList();
        Assert.InRange(kept.Count, 1, 19);
        // The newest are kept, in order.
        Assert.Equal(Enumerable.Range(20 - kept.Count, kept.Count).Select(i => $"detail {i}"), kept);
        var dropped = Assert.Single(messages, m => m.Contains("dropped", StringComparison.Ordinal));
        Assert.StartsWith($"{20 - kept.Count} buffered log line(s)", dropped, StringComparison.Ordinal);
        Assert.Equal(dropped, messages[0]);
        Assert.Equal("failed", messages[^1]);
    }

    [Fact]
    public void With_flush_on_error_off_an_error_leaves_the_buffer_and_FlushBuffer_writes_it()
    {
        using var logging = new Logging(
            o => o.Buffering.Enabled = true,
            new() { [LambdaJsonLoggerOptions.BufferFlushOnErrorVariable] = "false" });

        using (LambdaLogContext.Begin("r1", null, coldStart: false))
        {
            logging.Logger.LogDebug("detail");
            logging.Logger.LogError("failed");
            Assert.Equal(["failed"], logging.Messages);
            LambdaLogContext.FlushBuffer();
        }

        Assert.Equal(["failed", "detail"], logging.Messages);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_failed_invocation_writes_its_buffered_lines_before_the_runtimes_failure_line(string flushOnError)
    {
        using var logging = new Logging(o => o.Buffering.Enabled = true, new() { [LambdaJsonLoggerOptions.BufferFlushOnErrorVariable] = flushOnError });
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var bootstrap = new LambdaBootstrap(
            new RuntimeApiClient(fake.HostAndPort), new TestEnvironment(), new ManualTimeProvider(Start), logging.Logger);
        fake.Enqueue(new QueuedInvocation("fails", "{}"u8.ToArray(), null, 0, null));
        fake.Enqueue(new QueuedInvocation("succeeds", "{}"u8.ToArray(), null, 0, null));
        var function = LambdaFunction.Create((payload, context, _) =>
        {
            logging.Logger.LogDebug("working on {RequestId}", context.AwsRequestId);
            return context.AwsRequestId == "fails" ? throw new InvalidOperationException("no") : ValueTask.FromResult(payload);
        });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        await fake.TakePostsAsync(2, Token);
        await stop.CancelAsync();
        await run;

        Assert.Equal(["working on fails", "Invocation failed"], logging.Messages);
    }
}
