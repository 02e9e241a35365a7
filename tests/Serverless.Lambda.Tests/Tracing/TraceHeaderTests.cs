using System.Net;
using Serverless.Lambda.Tracing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Tracing;

public sealed class TraceHeaderTests
{
    [Fact]
    public void Lambdas_header_gives_root_parent_and_the_sampling_decision_in_any_order()
    {
        var header = TraceHeader.Parse("Sampled=1;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a87bd80c:1");

        Assert.Equal(new TraceHeader("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", true), header);
        Assert.True(header.CanRecord);
    }

    [Theory]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")]
    [InlineData("Parent=53995c3f42cd8ad8;Sampled=1")]
    [InlineData("Root=not-a-trace;Parent=53995c3f42cd8ad8;Sampled=1")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f;Sampled=1")]
    [InlineData("")]
    [InlineData(null)]
    public void A_header_that_is_not_sampled_or_lacks_its_trace_or_parent_records_nothing(string? text) =>
        Assert.False(TraceHeader.Parse(text).CanRecord);

    [Fact]
    public void The_daemon_address_is_host_and_port_or_the_sdks_udp_and_tcp_pair()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("169.254.79.129"), 2000), XRayDaemonAddress.Parse("169.254.79.129:2000"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 2001), XRayDaemonAddress.Parse("tcp:127.0.0.1:2000 udp:127.0.0.2:2001"));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2000), XRayDaemonAddress.Parse("localhost:2000"));
        Assert.Null(XRayDaemonAddress.Parse(null));
        Assert.Null(XRayDaemonAddress.Parse(" "));
        Assert.Throws<FormatException>(() => XRayDaemonAddress.Parse("169.254.79.129"));
        Assert.Throws<FormatException>(() => XRayDaemonAddress.Parse("169.254.79.129:70000"));
        Assert.Throws<FormatException>(() => XRayDaemonAddress.Parse("tcp:127.0.0.1:2000 tcp:127.0.0.1:2001"));
    }

    [Fact]
    public void Without_a_daemon_address_there_is_no_tracer()
    {
        Assert.Null(XRayTracer.FromEnvironment(new TestEnvironment()));
        using var tracer = XRayTracer.FromEnvironment(new TestEnvironment(new() { [XRayDaemonAddress.Variable] = "127.0.0.1:2000" }));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2000), tracer!.Daemon);
    }
}
