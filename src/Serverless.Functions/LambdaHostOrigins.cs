using Microsoft.AspNetCore.Http;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Events;

namespace Serverless.Functions;

/// <summary>
/// Where the API meets the Lambda layer on trust: reads from the event the adapter served what the API's policy
/// checks (event shape, authorizer, API id, the JWT authorizer's claims). The Lambda layer stays generic and the
/// API knows no Lambda types; the decision is the API's (HostPrincipalHandler).
/// </summary>
internal sealed class LambdaHostOrigins : IHostOriginReader
{
    public HostOrigin? Read(HttpContext context)
    {
        var lambda = context.GetLambdaFeature();
        return lambda?.Kind switch
        {
            LambdaHttpPayloadKind.HttpApiV2 => OfHttpApi(lambda.HttpApiRequest?.RequestContext),
            LambdaHttpPayloadKind.RestApiV1 => OfRestApi(lambda.RestApiRequest?.RequestContext),
            LambdaHttpPayloadKind.ApplicationLoadBalancer => new HostOrigin(HostEventShape.LoadBalancer, HostAuthorizer.None, null, null),
            _ => null,
        };
    }

    private static HostOrigin OfHttpApi(HttpApiRequestContext? context)
    {
        var authorizer = context?.Authorizer;
        var kinds = new List<HostAuthorizer>(1);
        if (authorizer?.Jwt is not null)
        {
            kinds.Add(HostAuthorizer.Jwt);
        }

        if (authorizer?.Lambda is not null)
        {
            kinds.Add(HostAuthorizer.Lambda);
        }

        if (authorizer?.Iam is not null)
        {
            kinds.Add(HostAuthorizer.Iam);
        }

        return new HostOrigin(HostEventShape.HttpApiV2, Single(kinds), context?.ApiId, authorizer?.Jwt?.Claims);
    }

    private static HostOrigin OfRestApi(RestApiRequestContext? context)
    {
        var authorizer = context?.Authorizer;
        var kinds = new List<HostAuthorizer>(1);
        if (authorizer is { Claims.Count: > 0 })
        {
            kinds.Add(HostAuthorizer.CognitoUserPool);
        }

        if (authorizer is { Context.Count: > 0 })
        {
            kinds.Add(HostAuthorizer.Lambda);
        }

        return new HostOrigin(HostEventShape.RestApiV1, Single(kinds), context?.ApiId, null);
    }

    private static HostAuthorizer Single(List<HostAuthorizer> kinds) => kinds.Count switch
    {
        0 => HostAuthorizer.None,
        1 => kinds[0],
        _ => HostAuthorizer.Several,
    };
}
