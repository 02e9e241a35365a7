namespace Serverless.Api;

/// <summary>
/// The one composition of the HTTP API, shared by every host: Kestrel (local stack, tests) and the Lambda adapter.
/// A host creates the builder, adds what it needs (its server, its configuration), then calls <see cref="Build"/>.
/// </summary>
public static class ApiApp
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapHealth();
        return app;
    }
}
