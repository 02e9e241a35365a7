using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// A host that puts a principal on the request, as the Lambda adapter does from an event's authorizer data: here a
/// filter in front of the app on Kestrel builds it from a test header (<c>X-Test-Principal: subject;scope scope</c>).
/// Told to trust the host's principal, the app still finds no API Gateway event behind it (only the Lambda function
/// brings one); tests of the trusted caller on Lambda drive the function itself (<see cref="LambdaFunctionFixture"/>).
/// </summary>
public class HostPrincipalFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    public const string Header = "X-Test-Principal";

    /// <summary>The app's Auth:TrustHostPrincipal: whether it takes the host's principal or validates bearer tokens itself.</summary>
    protected virtual bool TrustHostPrincipal => true;

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:TrustHostPrincipal"] = TrustHostPrincipal ? "true" : "false",
        });
        builder.Services.AddSingleton<IStartupFilter, HostPrincipalFilter>();
    }

    private sealed class HostPrincipalFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers[Header].ToString() is { Length: > 0 } value)
                {
                    var parts = value.Split(';');
                    context.User = new ClaimsPrincipal(new ClaimsIdentity(
                        [new Claim("sub", parts[0]), new Claim("scope", parts.Length > 1 ? parts[1] : "")],
                        authenticationType: "ApiGatewayJwtAuthorizer"));
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>
/// A host that puts a principal on the request (as the Lambda adapter does) while the app is told not to trust it:
/// only a bearer token the app validates itself may count.
/// </summary>
public sealed class UntrustedHostPrincipalFixture(DynamoDbLocalFixture dynamoDb) : HostPrincipalFixture(dynamoDb)
{
    protected override bool TrustHostPrincipal => false;
}
