using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Lambda.Tests.Tracing;

/// <summary>One datagram as the X-Ray daemon receives it: the header line and the segment document after it.</summary>
internal sealed record XRayDatagram(string Header, JsonObject Document, string Text);

/// <summary>The X-Ray daemon's UDP port, on loopback: every datagram sent to it, in the order it came.</summary>
internal sealed class FakeXRayDaemon : IDisposable
{
    private readonly UdpClient udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public IPEndPoint Endpoint => (IPEndPoint)udp.Client.LocalEndPoint!;

    /// <summary>The daemon's address as Lambda writes it into <c>AWS_XRAY_DAEMON_ADDRESS</c>.</summary>
    public string Address => $"{Endpoint.Address}:{Endpoint.Port}";

    public async Task<XRayDatagram> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var received = await udp.ReceiveAsync(timeout.Token);
        var text = Encoding.UTF8.GetString(received.Buffer);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        Assert.True(newline > 0, "a datagram is a header line, a newline and a document");
        return new XRayDatagram(text[..newline], (JsonObject)JsonNode.Parse(text[(newline + 1)..])!, text);
    }

    public async Task<List<XRayDatagram>> ReceiveAsync(int count, CancellationToken cancellationToken)
    {
        var taken = new List<XRayDatagram>(count);
        while (taken.Count < count)
        {
            taken.Add(await ReceiveAsync(cancellationToken));
        }

        return taken;
    }

    /// <summary>Datagrams already here, without waiting for more.</summary>
    public int Pending => udp.Available;

    public void Dispose() => udp.Dispose();
}
