using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Amazon.DynamoDBv2.Model;
using Serverless.DynamoDbLocal;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.DynamoDbLocal;

/// <summary>
/// What the local stack runs is what was verified, and it listens where it was told: DynamoDB Local accepts any
/// credentials, so a port open on every interface lets anyone on the network read and change the tables.
/// </summary>
public sealed class DynamoDbLocalTrustTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_cache_the_tests_run_matches_the_pinned_digest_of_the_unpacked_package()
    {
        var emulator = Path.Combine(DynamoDbLocalOptions.DefaultCacheDirectory(), DynamoDbLocalPackage.PackageVersion, "emulator");

        Assert.Equal(DynamoDbLocalPackage.EmulatorTreeDigest, DynamoDbLocalPackage.TreeDigest(emulator));
    }

    [Fact]
    public async Task A_changed_file_in_the_cache_is_noticed_and_the_package_is_installed_again_before_anything_runs()
    {
        var cache = Directory.CreateTempSubdirectory("ddb-cache-").FullName;
        try
        {
            var original = Path.Combine(DynamoDbLocalOptions.DefaultCacheDirectory(), DynamoDbLocalPackage.PackageVersion);
            var copy = Path.Combine(cache, DynamoDbLocalPackage.PackageVersion);
            CopyDirectory(original, copy);
            var jar = Path.Combine(copy, "emulator", "DynamoDBLocal.jar");
            await using (var file = File.OpenWrite(jar))
            {
                // Same size, one byte different: the marker file still says the install finished.
                file.Position = file.Length / 2;
                file.WriteByte(0x5A);
            }

            Assert.NotEqual(DynamoDbLocalPackage.EmulatorTreeDigest, DynamoDbLocalPackage.TreeDigest(Path.Combine(copy, "emulator")));
            var log = new StringWriter();

            var emulator = await DynamoDbLocalPackage.EnsureInstalledAsync(cache, log, Ct);

            Assert.Contains("does not match the pinned digest", log.ToString(), StringComparison.Ordinal);
            Assert.Equal(DynamoDbLocalPackage.EmulatorTreeDigest, DynamoDbLocalPackage.TreeDigest(emulator));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task It_listens_on_loopback_only_unless_told_otherwise()
    {
        var outside = NonLoopbackAddress();
        Assert.Equal(DynamoDbLocalOptions.LoopbackAddress, new DynamoDbLocalOptions().EffectiveBindAddress);

        // The fixture's server was started with the defaults.
        Assert.True(await AnswersAsync(IPAddress.Loopback, fixture.ServiceUrl.Port));
        Assert.False(await AnswersAsync(outside, fixture.ServiceUrl.Port));

        await using var everywhere = await DynamoDbLocalServer.StartAsync(new DynamoDbLocalOptions { BindAddress = DynamoDbLocalOptions.AnyAddress }, ct: Ct);
        Assert.True(await AnswersAsync(outside, everywhere.ServiceUrl.Port));
        using var client = everywhere.CreateClient();
        await client.ListTablesAsync(new ListTablesRequest(), Ct);
    }

    [Fact]
    public void A_bind_address_that_is_not_an_address_is_a_clear_error()
    {
        var error = Assert.Throws<DynamoDbLocalException>(() => new DynamoDbLocalOptions { BindAddress = "my laptop" }.EffectiveBindAddress);

        Assert.Contains("not an IP address", error.Message, StringComparison.Ordinal);
    }

    private static async Task<bool> AnswersAsync(IPAddress address, int port)
    {
        using var tcp = new TcpClient(address.AddressFamily);
        try
        {
            await tcp.ConnectAsync(address, port, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>An address of this machine that is not loopback: what another host on its network would connect to.</summary>
    private static IPAddress NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("This machine has no IPv4 address besides loopback, so listening on loopback only cannot be told apart from listening everywhere.");

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
