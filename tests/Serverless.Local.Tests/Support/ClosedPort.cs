using System.Net;
using System.Net.Sockets;

namespace Serverless.Local.Tests.Support;

internal static class ClosedPort
{
    /// <summary>A loopback endpoint nothing listens on: a port the system just handed out and took back.</summary>
    public static Uri Endpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
