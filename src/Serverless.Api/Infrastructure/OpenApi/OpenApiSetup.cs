using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Serverless.Api.Infrastructure.Idempotency;
using Serverless.Api.Infrastructure.Json;

namespace Serverless.Api.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: every route with the scopes it needs (security requirement and
/// description), its problem responses, and enums with the names the API accepts.
/// </summary>
internal static class OpenApiSetup
{
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddApiOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Serverless data API";
                document.Info.Description =
                    "JSON API over users, orders, products, roles, comments and the audit trail. Errors are RFC 9457 problem "
                    + "details naming each wrong field. Lists page with ?cursor=&limit= (1-100). Single resources carry an ETag; "
                    + "PATCH and DELETE need If-Match (428 without it, 412 when stale). Scopes: "
                    + string.Join(", ", Scopes.All) + ".";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT whose space-separated `scope` claim lists the granted scopes ("
                        + string.Join(", ", Scopes.All) + "). Service scopes act across users; an end-user token (self.read, self.write) acts only for the user its `sub` names. Locally: `dotnet run --project src/Serverless.Local -- token --scopes \"data.read data.write\"` (or `--subject <userId> --scopes \"self.read self.write\"`).",
                };
                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var anonymous = metadata.OfType<IAllowAnonymous>().Any();
                // A policy is named by the scopes that may reach the route (any one of them), as in a token.
                var scopes = metadata.OfType<IAuthorizeData>()
                    .Select(a => a.Policy)
                    .OfType<string>()
                    .SelectMany(p => p.Split(' '))
                    .Where(p => Scopes.All.Contains(p))
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                var rule = metadata.OfType<AccessRule>().LastOrDefault();

                operation.Responses ??= new OpenApiResponses();
                if (!anonymous && scopes.Count > 0)
                {
                    // OpenAPI 3.1 lets a non-OAuth scheme list required roles/scopes in the requirement.
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = scopes },
                    ];
                    operation.Description = (operation.Description is null ? "" : operation.Description + "\n\n")
                        + "Requires scope: " + string.Join(" or ", scopes.Select(s => "`" + s + "`")) + "."
                        + (rule?.SelfScope is null ? "" : " An end-user token (`" + rule.SelfScope + "`): " + rule.EndUser + ".");
                    AddProblem(operation, "401", "No valid bearer token.");
                    AddProblem(operation, "403", rule?.SelfScope is null
                        ? "The token lacks the required scope (" + string.Join(", ", scopes) + ")."
                        : "The token lacks every scope that reaches the route (" + string.Join(", ", scopes) + "), or an end-user token's subject is not the user the request names.");
                }

                if (string.Equals(context.Description.HttpMethod, HttpMethods.Post, StringComparison.OrdinalIgnoreCase)
                    || metadata.OfType<IdempotentRoute>().Any())
                {
                    AddIdempotencyKey(operation);
                }

                // The request limits apply to every route, on every host.
                AddProblem(operation, "414", "The path and query are longer than the limit (8 KiB by default).");
                AddProblem(operation, "431", "The request headers are larger than the limit (32 KiB by default).");
                AddProblem(operation, "500", "Unexpected error.");
                return Task.CompletedTask;
            });

            options.AddSchemaTransformer((schema, context, _) =>
            {
                // Enums are written by our own converters (the seed's spellings), which the schema generator cannot see
                // into; each converter lists the names it takes.
                if (NamedValues(context.JsonTypeInfo) is { } names)
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))];
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The names a value of this type takes, when its converter (or, for a nullable, its value's) takes a fixed set.</summary>
    private static IReadOnlyList<string>? NamedValues(JsonTypeInfo info) =>
        (info.Converter as INamedValuesConverter
            ?? (Nullable.GetUnderlyingType(info.Type) is { } value ? info.Options.GetTypeInfo(value).Converter as INamedValuesConverter : null))?.Names;

    /// <summary>The optional Idempotency-Key header (docs/idempotency.md) and the problems it adds.</summary>
    private static void AddIdempotencyKey(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencySetup.HeaderName,
            In = ParameterLocation.Header,
            Required = false,
            Description = "1 to 255 printable ASCII characters, unique per request (a UUID). The same request with the same key "
                + "within 24 hours gets the first response again (with `Idempotent-Replayed: true`) and writes nothing; the key "
                + "with another target, If-Match or body is a 422; the key while its first request is still running is a 409 "
                + "with Retry-After. A 5xx is not kept: the same key then runs again.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
        });
        AddProblem(operation, "400", "Bad input, or an Idempotency-Key that is not 1 to 255 printable ASCII characters.");
        AddProblem(operation, "409", "A conflict, or a request with this Idempotency-Key is still running (Retry-After).");
        AddProblem(operation, "422", "This Idempotency-Key was used with another request.");
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType(),
            },
        };
    }
}
