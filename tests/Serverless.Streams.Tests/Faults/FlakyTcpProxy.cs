using System.Net;
using System.Net.Sockets;

namespace Serverless.Streams.Tests.Faults;

/// <summary>How <see cref="FlakyTcpProxy"/> fails a connection when its draw says so.</summary>
public enum ConnectionFault
{
    /// <summary>The client's bytes are not sent on; the connection is reset (a server gone, a failover).</summary>
    ResetBeforeSending,

    /// <summary>The client's bytes reach the server, then the connection is reset before the answer is all back: applied, answer lost.</summary>
    ResetAfterSending,

    /// <summary>The client's bytes are held, not sent on, until the client has given up on them; then the connection is reset (a server that hangs).</summary>
    Stall,
}

/// <summary>
/// A loopback TCP proxy in front of a server (redis-server in the tests) that fails a connection at a seeded rate: for
/// each read of the client's bytes it draws, and on a hit fails the connection as <see cref="ConnectionFault"/> says.
/// The client reconnects through it as it would to the server.
/// </summary>
public sealed class FlakyTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConnectionFault _fault;
    private readonly double _rate;
    private readonly TimeSpan _stall;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _reads;
    private int _injected;
    private int _connections;

    /// <param name="target">The server, as <c>host:port</c>.</param>
    /// <param name="stall">How long a <see cref="ConnectionFault.Stall"/> holds the connection before closing it.</param>
    public FlakyTcpProxy(string target, ConnectionFault fault, double rate, int seed, TimeSpan stall)
    {
        _target = IPEndPoint.Parse(target);
        _fault = fault;
        _rate = rate;
        _stall = stall;
        _random = new Random(seed);
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>Where clients connect: <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Reads of the client's bytes (each one draw).</summary>
    public int Reads => Volatile.Read(ref _reads);

    public int Injected => Volatile.Read(ref _injected);

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Off: every byte passed on from now on (the faults stop, the connections made stay).</summary>
    public bool Faulting { get; set; } = true;

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                await server.ConnectAsync(_target, ct);
                var up = PumpAsync(client, server, faulted: true, ct);
                var down = PumpAsync(server, client, faulted: false, ct);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side gone: both are closed below.
            }
            finally
            {
                // A reset, not a graceful close: what the client sees when a server dies.
                client.LingerState = new LingerOption(true, 0);
                server.LingerState = new LingerOption(true, 0);
                client.Close();
                server.Close();
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool faulted, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                return;
            }

            if (faulted)
            {
                Interlocked.Increment(ref _reads);
                if (Draw())
                {
                    Interlocked.Increment(ref _injected);
                    switch (_fault)
                    {
                        case ConnectionFault.ResetBeforeSending:
                            return;
                        case ConnectionFault.ResetAfterSending:
                            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                            // Long enough for the server to apply it; its answer may or may not have come back.
                            await Task.Delay(5, ct);
                            return;
                        case ConnectionFault.Stall:
                            await Task.Delay(_stall, ct);
                            return;
                    }
                }
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
        }
    }

    private bool Draw()
    {
        if (!Faulting)
        {
            return false;
        }

        lock (_random)
        {
            return _random.NextDouble() < _rate;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
