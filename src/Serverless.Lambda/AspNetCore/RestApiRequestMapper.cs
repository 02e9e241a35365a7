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
        features.Method = request.HttpMethod ?? throw new UnmappableEventException("the REST API event has no httpMethod");
        features.Protocol = context?.Protocol ?? "HTTP/1.1";
        features.Scheme = "https";

        // The app routes on the path API Gateway matched: the resource with its path parameters filled in ({proxy+} is
        // the greedy one). Behind a base path mapping or a resource of its own (/api/{proxy+}) that is not the path the
        // client called, which is what `path` holds; a request without a resource (a hand-made test event) has only it.
        var path = ResourcePath(request) ?? RequestParts.Rooted(request.Path);

        // On the execute-api domain the client called /{stage}/{path}: requestContext.path ends with the routed path and
        // what comes before it is the path base. A trailing slash the client sent is in requestContext.path only.
        if (context?.Path is { Length: > 0 } calledPath)
        {
            if (path.EndsWith('/') && !calledPath.EndsWith('/'))
            {
                calledPath += "/";
            }
            else if (!path.EndsWith('/') && calledPath.EndsWith('/'))
            {
                path += "/";
            }

            if (calledPath.Length > path.Length && calledPath.EndsWith(path, StringComparison.Ordinal) && calledPath[0] == '/')
            {
                features.PathBase = RequestParts.DecodePath(calledPath[..^path.Length]);
            }
        }

        features.Path = RequestParts.DecodePath(path);
        features.QueryString = RequestParts.BuildQueryString(request.QueryStringParameters, request.MultiValueQueryStringParameters, escape: true);
        // What the client asked for, without the stage: the event's path as API Gateway received it.
        features.RawTarget = RequestParts.Rooted(request.Path ?? path) + features.QueryString;

        var headers = features.Headers;
        RequestParts.CopyHeaders(headers, request.Headers, request.MultiValueHeaders);
        if (!headers.ContainsKey(HeaderNames.Host) && context?.DomainName is { } domain)
        {
            headers[HeaderNames.Host] = domain;
        }

        RequestBody.Apply(features, request.Body, request.IsBase64Encoded);
        features.RemoteIpAddress = RequestParts.ParseIp(context?.Identity?.SourceIp);
        features.ClientCertificatePem = context?.Identity?.ClientCert?.ClientCertPem;
        features.TraceIdentifier = RequestParts.TraceIdentifier(features.LambdaContext, context?.RequestId);
        features.User = AuthorizerClaims.FromRestApi(context?.Authorizer);
    }

    /// <summary>The resource template with the request's path parameters in it, or null without a resource.</summary>
    private static string? ResourcePath(RestApiRequest request)
    {
        if (string.IsNullOrEmpty(request.Resource) || request.PathParameters is not { Count: > 0 } parameters)
        {
            return null;
        }

        var path = request.Resource;
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                return null;
            }

            // A greedy value is the rest of the path after the template's slash; one that repeats the slash is not a second one.
            path = path.Replace("{" + name + "+}", value.StartsWith('/') && path.Contains("/{" + name + "+}", StringComparison.Ordinal) ? value[1..] : value, StringComparison.Ordinal)
                .Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        return path.Contains('{', StringComparison.Ordinal) ? null : RequestParts.Rooted(path);
    }
}
