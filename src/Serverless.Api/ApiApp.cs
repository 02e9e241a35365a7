using Microsoft.Extensions.Configuration.Memory;
using Serverless.Api.Health;
using Serverless.Api.Infrastructure;
using Serverless.Api.Audit;
using Serverless.Api.Comments;
using Serverless.Api.Orders;
using Serverless.Api.Products;
using Serverless.Api.Roles;
using Serverless.Api.Users;

namespace Serverless.Api;

/// <summary>
/// The one composition of the HTTP API, shared by every host: Kestrel (local stack, tests) and the Lambda adapter.
/// A host creates the builder (services are registered here, so it can still replace any of them and add its own
/// server and configuration), then calls <see cref="Build"/>.
/// </summary>
public static class ApiApp
{
    public static WebApplicationBuilder CreateBuilder(string[] args) => CreateBuilder(new WebApplicationOptions { Args = args });

    /// <summary>
    /// With the host's settings given up front: <see cref="WebApplicationOptions.EnvironmentName"/> "Development" is what
    /// lets the API use the local stack's development keys (the local stack and the tests set it).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(WebApplicationOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(options);
        // The framework logs six Information lines a request (start, endpoint, result, finish): on Lambda each is a
        // CloudWatch write paid per byte and a console write on the request's path. Its warnings and errors still show.
        // Inserted first, so every other source (appsettings, Logging__LogLevel__Microsoft.AspNetCore) overrides it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData =
            [
                new KeyValuePair<string, string?>("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                // The same for the host-principal scheme, whose base class logs each authentication and challenge under
                // its own name; the scheme's one warning for a refused caller still shows.
                new KeyValuePair<string, string?>("Logging:LogLevel:" + typeof(HostPrincipalHandler).FullName, "Warning"),
            ],
        });
        builder.Services.AddApi();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseApi();

        // One group over every resource, so what applies to all of them is attached once.
        var routes = app.MapGroup("").AddEndpointFilter<NotModifiedFilter>();
        routes.MapHealth();
        routes.MapUsers();
        routes.MapOrders();
        routes.MapProducts();
        routes.MapRoles();
        routes.MapComments();
        routes.MapAudit();
        app.MapApiReference();
        return app;
    }
}
