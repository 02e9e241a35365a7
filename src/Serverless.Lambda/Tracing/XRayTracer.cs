using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Serverless.Lambda.Tracing;

/// <summary>
/// The tracer on Lambda: every span of the project's activity sources (<c>Serverless.*</c>) that ends during an
/// invocation whose trace header says <c>Sampled=1</c> goes to the X-Ray daemon as a subsegment of the function's
/// segment (which Lambda itself writes), one UDP datagram each. Outside a sampled invocation no span is even created:
/// the listener answers "not sampled" and <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null.
/// A span started inside another of ours is its subsegment's child; any other span's parent is the function's segment.
/// Sending never fails an invocation: a datagram the socket refuses is dropped, as the X-Ray SDKs drop it.
/// </summary>
public sealed class XRayTracer : IDisposable
{
    /// <summary>The activity sources listened to: the project's own.</summary>
    public const string SourcePrefix = "Serverless.";

    private readonly AsyncLocal<TraceHeader?> current = new();
    private readonly ActivityListener listener;
    private readonly Socket socket;

    // Per tracer, so two tracers in one process (tests) never read each other's spans.
    private readonly string propertyKey = "Serverless.Lambda.XRay." + Guid.NewGuid().ToString("N");

    public XRayTracer(IPEndPoint daemon)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        Daemon = daemon;
        socket = new Socket(daemon.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(daemon);
        listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name.StartsWith(SourcePrefix, StringComparison.Ordinal),
            Sample = Sample,
            SampleUsingParentId = SampleByParentId,
            ActivityStarted = Started,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public IPEndPoint Daemon { get; }

    /// <summary>The tracer Lambda's environment asks for: none without <c>AWS_XRAY_DAEMON_ADDRESS</c> (tracing off).</summary>
    /// <exception cref="FormatException">The variable is set but is not an address.</exception>
    public static XRayTracer? FromEnvironment(Runtime.IRuntimeEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return XRayDaemonAddress.Parse(environment.GetVariable(XRayDaemonAddress.Variable)) is { } daemon ? new XRayTracer(daemon) : null;
    }

    /// <summary>Makes <paramref name="traceHeader"/> the current invocation's trace until the scope is disposed.</summary>
    public IDisposable Begin(string? traceHeader)
    {
        var previous = current.Value;
        var header = TraceHeader.Parse(traceHeader);
        current.Value = header.CanRecord ? header : null;
        return new Restore(this, previous);
    }

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options) =>
        current.Value is null ? ActivitySamplingResult.None : ActivitySamplingResult.AllDataAndRecorded;

    private ActivitySamplingResult SampleByParentId(ref ActivityCreationOptions<string> options) =>
        current.Value is null ? ActivitySamplingResult.None : ActivitySamplingResult.AllDataAndRecorded;

    private void Started(Activity activity)
    {
        if (current.Value is not { } header)
        {
            return;
        }

        var parent = header.Parent!;
        for (var ancestor = activity.Parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            if (ancestor.GetCustomProperty(propertyKey) is Subsegment enclosing && enclosing.TraceId == header.Root)
            {
                parent = enclosing.Id;
                break;
            }
        }

        activity.SetCustomProperty(propertyKey, new Subsegment(ActivitySpanId.CreateRandom().ToHexString(), header.Root!, parent));
    }

    private void Stopped(Activity activity)
    {
        if (activity.GetCustomProperty(propertyKey) is not Subsegment subsegment)
        {
            return;
        }

        var datagram = SubsegmentDocument.Write(activity, subsegment);
        try
        {
            socket.Send(datagram);
        }
        catch (SocketException)
        {
            // No daemon listening (or a full buffer): the span is lost, the invocation goes on.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        socket.Dispose();
    }

    private sealed class Restore(XRayTracer owner, TraceHeader? previous) : IDisposable
    {
        public void Dispose() => owner.current.Value = previous;
    }
}

/// <summary>What a span becomes in X-Ray: its subsegment's id, its trace and its parent (segment or subsegment).</summary>
internal sealed record Subsegment(string Id, string TraceId, string ParentId);
