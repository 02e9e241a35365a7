using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Serverless.Api.Infrastructure.Json;

/// <summary>
/// Source-generated metadata for every type the API reads or writes, so no reflection-based serialization runs
/// (Native AOT). The options here only shape the generated code; <see cref="ApiJson.Configure"/> sets the rules.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    Converters =
    [
        typeof(UserStatusJsonConverter),
        typeof(AddressTypeJsonConverter),
        typeof(OrderStatusJsonConverter),
        typeof(CommentTargetJsonConverter),
        typeof(AuditActionJsonConverter),
    ])]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(Health.HealthResponse))]
[JsonSerializable(typeof(Users.CreateUserRequest))]
[JsonSerializable(typeof(Users.UpdateUserRequest))]
[JsonSerializable(typeof(Users.UserResponse))]
[JsonSerializable(typeof(Paging.PageResponse<Users.UserResponse>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
