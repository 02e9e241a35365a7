using Microsoft.Net.Http.Headers;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.AspNetCore;

/// <summary>Application Load Balancer event into the request features.</summary>
internal static class AlbRequestMapper
{
    public static void Map(AlbRequest request, LambdaHttpFeatures features)
    {
        features.Kind = LambdaHttpPayloadKind.ApplicationLoadBalancer;
        features.AlbRequest = request;
        features.AlbMultiValueHeaders = request.MultiValueHeaders is not null;
        features.Method = request.HttpMethod ?? throw new UnmappableEventException("the load balancer event has no httpMethod");
        features.Path = RequestParts.DecodePath(request.Path);
        features.QueryString = RequestParts.BuildQueryString(request.QueryStringParameters, request.MultiValueQueryStringParameters, escape: false);
        features.RawTarget = (request.Path ?? "/") + features.QueryString;

        var headers = features.Headers;
        RequestParts.CopyHeaders(headers, request.Headers, request.MultiValueHeaders);
        features.Scheme = headers["X-Forwarded-Proto"].ToString() is { Length: > 0 } scheme ? scheme : "https";

        RequestBody.Apply(features, request.Body, request.IsBase64Encoded);

        // The load balancer appends the address it saw to X-Forwarded-For; earlier entries are client-supplied.
        var forwardedFor = headers["X-Forwarded-For"];
        if (forwardedFor.Count > 0 && forwardedFor[^1] is { } last)
        {
            var comma = last.LastIndexOf(',');
            features.RemoteIpAddress = RequestParts.ParseIp(comma < 0 ? last : last[(comma + 1)..]);
        }

        if (int.TryParse(headers["X-Forwarded-Port"].ToString(), out var port))
        {
            features.LocalPort = port;
        }

        // The load balancer sends no request id of its own; the Lambda invocation's id identifies the request.
        features.TraceIdentifier = RequestParts.TraceIdentifier(features.LambdaContext, gatewayRequestId: null);
    }
}
