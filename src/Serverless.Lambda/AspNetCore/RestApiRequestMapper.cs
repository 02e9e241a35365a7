using Microsoft.Net.Http.Headers;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.AspNetCore;

/// <summary>REST API payload 1.0 (proxy integration) into the request features.</summary>
internal static class RestApiRequestMapper
{
    public static void Map(RestApiRequest request, LambdaHttpFeatures features)
    {
        var context = request.RequestContext;
        features.Kind = LambdaHttpPayloadKind.RestApiV1;
        features.RestApiRequest = request;
        features.Method = request.HttpMethod ?? throw new InvalidOperationException("The REST API event has no httpMethod.");
        features.Protocol = context?.Protocol ?? "HTTP/1.1";
        features.Scheme = "https";

        var path = string.IsNullOrEmpty(request.Path) ? "/" : request.Path;
        features.Path = RequestParts.DecodePath(path);

        // On the execute-api domain the client called /{stage}/{path}: requestContext.path keeps the stage, path does
        // not. Behind a custom domain requestContext.path has no stage, and PathBase must stay empty.
        var stage = context?.Stage;
        if (context?.Path is { } calledPath
            && RequestParts.StartsWithStage(calledPath, stage)
            && calledPath.AsSpan(stage!.Length + 1).SequenceEqual(path))
        {
            features.PathBase = "/" + stage;
        }

        features.QueryString = RequestParts.BuildQueryString(request.QueryStringParameters, request.MultiValueQueryStringParameters, escape: true);
        features.RawTarget = (context?.Path ?? path) + features.QueryString;

        var headers = features.Headers;
        RequestParts.CopyHeaders(headers, request.Headers, request.MultiValueHeaders);
        if (!headers.ContainsKey(HeaderNames.Host) && context?.DomainName is { } domain)
        {
            headers[HeaderNames.Host] = domain;
        }

        RequestBody.Apply(features, request.Body, request.IsBase64Encoded);
        features.RemoteIpAddress = RequestParts.ParseIp(context?.Identity?.SourceIp);
        features.TraceIdentifier = context?.RequestId ?? features.LambdaContext.AwsRequestId;
        features.User = AuthorizerClaims.FromRestApi(context?.Authorizer);
    }
}
