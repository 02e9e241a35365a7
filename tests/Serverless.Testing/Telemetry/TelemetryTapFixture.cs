namespace Serverless.Testing.Telemetry;

/// <summary>
/// Starts the process's tap before any test runs (register with
/// <c>[assembly: AssemblyFixture(typeof(TelemetryTapFixture))]</c>), so no measurement is made before it listens.
/// </summary>
public sealed class TelemetryTapFixture
{
    public TelemetryTapFixture() => Tap = TelemetryTap.Process;

    public TelemetryTap Tap { get; }
}
