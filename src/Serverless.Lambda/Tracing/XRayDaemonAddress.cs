using System.Globalization;
using System.Net;

namespace Serverless.Lambda.Tracing;

/// <summary>
/// Where the X-Ray daemon listens for segment documents over UDP: <c>AWS_XRAY_DAEMON_ADDRESS</c>, which Lambda sets
/// (with <c>Tracing: Active</c>) to <c>host:port</c>; the X-Ray SDKs' form <c>tcp:host:port udp:host:port</c> is read
/// too, its UDP address taken.
/// </summary>
public static class XRayDaemonAddress
{
    public const string Variable = "AWS_XRAY_DAEMON_ADDRESS";

    /// <summary>The daemon's UDP endpoint, or null when <paramref name="value"/> is unset or blank.</summary>
    /// <exception cref="FormatException">Not <c>host:port</c> (nor the SDKs' two-address form).</exception>
    public static IPEndPoint? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 1)
        {
            text = parts.FirstOrDefault(p => p.StartsWith("udp:", StringComparison.OrdinalIgnoreCase))?[4..]
                ?? throw new FormatException($"{Variable} names two addresses and none is udp:host:port.");
        }
        else if (text.StartsWith("udp:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..];
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"{Variable} is not host:port.");
        }

        var host = text[..colon].Trim('[', ']');
        var address = IPAddress.TryParse(host, out var ip)
            ? ip
            : Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
              ?? throw new FormatException($"{Variable}'s host does not resolve.");
        return new IPEndPoint(address, port);
    }
}
