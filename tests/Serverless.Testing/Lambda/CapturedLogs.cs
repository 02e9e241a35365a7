using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Logging;

namespace Serverless.Testing.Lambda;

/// <summary>The project's real JSON log lines (the Lambda logger), written to memory so a test can read them.</summary>
public sealed partial class CapturedLogs : IDisposable
{
    private readonly MemoryStream _output = new();

    public CapturedLogs()
    {
        Stream output = _output;
        Tap(ref output);
        Factory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Debug)
            .AddLambdaJsonLogging(options => options.Output = output));
    }

    /// <summary>Where the shared test support is compiled whole, every line also goes to the process's telemetry tap.</summary>
    partial void Tap(ref Stream output);

    public ILoggerFactory Factory { get; }

    /// <summary>Everything written so far, as text (what CloudWatch would store).</summary>
    public string Text
    {
        get
        {
            lock (_output)
            {
                return Encoding.UTF8.GetString(_output.ToArray());
            }
        }
    }

    public IReadOnlyList<(string Level, string Message)> Lines =>
        [.. Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return (json.RootElement.GetProperty("level").GetString()!, json.RootElement.GetProperty("message").GetString()!);
        })];

    public void Dispose()
    {
        Factory.Dispose();
        _output.Dispose();
    }
}
