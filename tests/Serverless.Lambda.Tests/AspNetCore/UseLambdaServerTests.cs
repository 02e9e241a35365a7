using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Tests.AspNetCore;

public sealed class UseLambdaServerTests
{
    [Fact]
    public async Task Outside_lambda_the_app_keeps_kestrel()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration[LambdaEnvironmentVariables.RuntimeApi] = string.Empty;

        builder.UseLambdaServer();
        await using var app = builder.Build();

        Assert.IsNotType<LambdaServer>(app.Services.GetRequiredService<IServer>());
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartLambdaFunctionAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Inside_lambda_the_lambda_server_replaces_kestrel()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration[LambdaEnvironmentVariables.RuntimeApi] = "127.0.0.1:9001";

        builder.UseLambdaServer();
        await using var app = builder.Build();

        Assert.IsType<LambdaServer>(app.Services.GetRequiredService<IServer>());
        Assert.Single(app.Services.GetServices<IServer>());
    }
}
