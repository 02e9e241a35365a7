using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.Api;

namespace Serverless.Bench.Support;

/// <summary>The API as the local stack hosts it (<see cref="ApiApp"/> on Kestrel, JWT bearer tokens), on loopback.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string CursorKey = "bench-cursor-signing-key: not a secret, benchmark only";

    private readonly WebApplication _app;

    private ApiHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ApiHost> StartAsync(Uri dynamoDb, string table, CancellationToken ct, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(Configuration(dynamoDb, table));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Request logs would measure the console; warnings still show.
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        var app = ApiApp.Build(builder);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return new ApiHost(app, address is null ? new Uri("http://127.0.0.1/") : new Uri(address));
    }

    public static Dictionary<string, string?> Configuration(Uri dynamoDb, string table) => new()
    {
        ["DynamoDb:ServiceUrl"] = dynamoDb.ToString(),
        ["Table:TableName"] = table,
        ["Table:CursorSigningKey"] = CursorKey,
        ["Auth:TrustHostPrincipal"] = "false",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
