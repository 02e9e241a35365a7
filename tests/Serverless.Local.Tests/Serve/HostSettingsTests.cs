using Microsoft.Extensions.Configuration;
using Xunit;

namespace Serverless.Local.Tests.Serve;

/// <summary>
/// The local stack's hosts read their settings files once: a reloading host watches the whole checkout, where
/// DynamoDB Local's scratch database changes all the time under a bulk load.
/// </summary>
public sealed class HostSettingsTests
{
    [Fact]
    public void The_api_host_reads_its_settings_files_without_watching_them()
    {
        AssertNoReload(LocalStack.CreateApiBuilder().Configuration);
    }

    [Fact]
    public void The_metrics_host_reads_its_settings_files_without_watching_them()
    {
        AssertNoReload(Serverless.Local.Telemetry.LocalTelemetryServer.CreateBuilder().Configuration);
    }

    private static void AssertNoReload(IConfigurationBuilder configuration)
    {
        var files = configuration.Sources.OfType<FileConfigurationSource>().ToList();
        Assert.Contains(files, f => f.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.ReloadOnChange, $"{f.Path} is reloaded on change"));
    }
}
