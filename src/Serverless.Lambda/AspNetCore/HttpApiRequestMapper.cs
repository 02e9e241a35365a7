using Microsoft.Net.Http.Headers;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.AspNetCore;

/// <summary>HTTP API payload 2.0 into the request features.</summary>
internal static class HttpApiRequestMapper
{
    public static void Map(HttpApiRequest request, LambdaHttpFeatures features)
    {
        var context = request.RequestContext;
        var http = context?.Http;
        features.Kind = LambdaHttpPayloadKind.HttpApiV2;
        features.HttpApiRequest = request;
        features.Method = http?.Method ?? throw new UnmappableEventException("the HTTP API event has no requestContext.http.method");
        features.Protocol = http.Protocol ?? "HTTP/1.1";
        features.Scheme = "https";

        var rawPath = string.IsNullOrEmpty(request.RawPath) ? http.Path ?? "/" : request.RawPath;

        // A named stage (not $default) is part of the path the client called; the app routes without it.
        if (context!.Stage is { } stage && stage != "$default" && RequestParts.StartsWithStage(rawPath, stage))
        {
            features.PathBase = "/" + stage;
            features.Path = RequestParts.DecodePath(rawPath[(stage.Length + 1)..]);
        }
        else
        {
            features.Path = RequestParts.DecodePath(rawPath);
        }

        // rawQueryString keeps repeated keys apart; queryStringParameters has them comma-joined.
        features.QueryString = string.IsNullOrEmpty(request.RawQueryString) ? string.Empty : "?" + request.RawQueryString;
        features.RawTarget = rawPath + features.QueryString;

        var headers = features.Headers;
        RequestParts.CopyHeaders(headers, request.Headers, null);
        if (request.Cookies is { Length: > 0 } cookies)
        {
            headers[HeaderNames.Cookie] = string.Join("; ", cookies);
        }

        if (!headers.ContainsKey(HeaderNames.Host) && context.DomainName is { } domain)
        {
            headers[HeaderNames.Host] = domain;
        }

        RequestBody.Apply(features, request.Body, request.IsBase64Encoded);
        features.RemoteIpAddress = RequestParts.ParseIp(http.SourceIp);
        features.ClientCertificatePem = context.Authentication?.ClientCert?.ClientCertPem;
        features.TraceIdentifier = RequestParts.TraceIdentifier(features.LambdaContext, context.RequestId);
        features.User = AuthorizerClaims.FromHttpApi(context.Authorizer);
    }
}
