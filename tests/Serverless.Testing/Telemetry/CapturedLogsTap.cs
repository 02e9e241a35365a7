namespace Serverless.Testing.Lambda;

// Compiled only into Serverless.Testing (Serverless.Lambda.Tests compiles Lambda/ alone, without the tap): the captured
// lines are also the tap's, so the telemetry scan reads what the stream functions log in their tests.
public sealed partial class CapturedLogs
{
    partial void Tap(ref Stream output) => output = Telemetry.TelemetryTap.Process.Tee(output);
}
