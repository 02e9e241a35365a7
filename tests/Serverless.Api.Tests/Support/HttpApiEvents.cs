using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// HTTP API (payload format 2.0) events as API Gateway sends them to the function behind its JWT authorizer, built
/// on the public sample (tests/Serverless.Lambda.Tests/Samples/http-api-v2-request.json): the token's claims as
/// strings (scope space-separated) and the route's scopes under <c>requestContext.authorizer.jwt</c>, the Authorization
/// header passed through, repeated query keys comma-joined in <c>queryStringParameters</c>.
/// </summary>
public static class HttpApiEvents
{
    private const string Domain = "id.execute-api.us-east-1.amazonaws.com";

    /// <summary>The sample's <c>requestContext.apiId</c>, which every event built here keeps.</summary>
    public const string ApiId = "api-id";

    private const string IssuerOnlyKey = "the identity provider's key, known to API Gateway's authorizer only";

    private static readonly string Sample = File.ReadAllText(
        RepoPaths.Of("tests", "Serverless.Lambda.Tests", "Samples", "http-api-v2-request.json"));

    /// <summary>
    /// The event for <paramref name="request"/>, its token's claims naming <paramref name="issuer"/> and
    /// <paramref name="audience"/> (the development ones unless given) as API Gateway passes them on.
    /// </summary>
    public static byte[] Create(ApiRequest request, string issuer = DevAuth.Issuer, string audience = DevAuth.Audience)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = DateTimeOffset.UtcNow;
        var split = request.PathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = split < 0 ? request.PathAndQuery : request.PathAndQuery[..split];
        var query = split < 0 ? "" : request.PathAndQuery[(split + 1)..];

        var root = JsonNode.Parse(Sample)!.AsObject();
        root["routeKey"] = "$default";
        root["rawPath"] = path;
        root["rawQueryString"] = query;
        root.Remove("cookies");
        root.Remove("pathParameters");
        root.Remove("stageVariables");

        var headers = new JsonObject
        {
            ["accept"] = "application/json",
            ["host"] = Domain,
            ["user-agent"] = "parity-test",
            ["x-forwarded-proto"] = "https",
            ["x-forwarded-port"] = "443",
        };
        Serverless.Testing.Telemetry.TelemetryTap.Process.Secrets.Json(request.Body);
        Serverless.Testing.Telemetry.TelemetryTap.Process.Secrets.Add(Serverless.Testing.Telemetry.PiiKind.SigningKey, IssuerOnlyKey);
        if (request.Body is not null)
        {
            headers["content-type"] = request.ContentType;
            headers["content-length"] = Encoding.UTF8.GetByteCount(request.Body).ToString(CultureInfo.InvariantCulture);
        }

        if (request.IfMatch is not null)
        {
            headers["if-match"] = request.IfMatch;
        }

        if (request.Scopes is not null)
        {
            // Passed through as the client sent it, signed by an issuer whose key the function never has: only the
            // authorizer's claims can let the request in, as on AWS.
            var token = DevAuth.CreateToken(request.Subject, request.Scopes, TimeSpan.FromMinutes(10), now, signingKey: IssuerOnlyKey);
            Serverless.Testing.Telemetry.TelemetryTap.Process.Secrets.AddToken(token);
            headers["authorization"] = "Bearer " + token;
        }

        root["headers"] = headers;

        var parameters = Parameters(query);
        if (parameters.Count > 0)
        {
            root["queryStringParameters"] = parameters;
        }
        else
        {
            root.Remove("queryStringParameters");
        }

        var context = root["requestContext"]!.AsObject();
        context.Remove("authentication");
        context["apiId"] = ApiId;
        context["domainName"] = Domain;
        context["requestId"] = Guid.NewGuid().ToString();
        context["routeKey"] = "$default";
        context["stage"] = "$default";
        context["time"] = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        context["timeEpoch"] = now.ToUnixTimeMilliseconds();
        context["http"] = new JsonObject
        {
            ["method"] = request.Method.Method,
            ["path"] = path,
            ["protocol"] = "HTTP/1.1",
            ["sourceIp"] = "203.0.113.10",
            ["userAgent"] = "parity-test",
        };
        if (request.Scopes is null)
        {
            // No token: API Gateway's authorizer would have refused before Lambda; the app must refuse on its own too.
            context.Remove("authorizer");
        }
        else
        {
            var scopes = string.Join(' ', request.Scopes);
            context["authorizer"] = new JsonObject
            {
                ["jwt"] = new JsonObject
                {
                    ["claims"] = new JsonObject
                    {
                        ["sub"] = request.Subject,
                        ["scope"] = scopes,
                        ["iss"] = issuer,
                        ["aud"] = audience,
                        ["iat"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                        ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    },
                    ["scopes"] = new JsonArray([.. request.Scopes.Select(s => (JsonNode)JsonValue.Create(s))]),
                },
            };
        }

        if (request.Body is null)
        {
            root.Remove("body");
        }
        else
        {
            root["body"] = request.Body;
        }

        root["isBase64Encoded"] = false;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static JsonObject Parameters(string query)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(value);
        }

        var parameters = new JsonObject();
        foreach (var (key, list) in values)
        {
            parameters[key] = string.Join(',', list);
        }

        return parameters;
    }
}
