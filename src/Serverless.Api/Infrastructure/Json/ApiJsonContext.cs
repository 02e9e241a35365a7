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
        typeof(CanonicalDecimalJsonConverter),
    ])]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(Health.HealthResponse))]
[JsonSerializable(typeof(Health.ReadinessResponse))]
[JsonSerializable(typeof(Users.CreateUserRequest))]
[JsonSerializable(typeof(Users.UpdateUserRequest))]
[JsonSerializable(typeof(Users.UserResponse))]
[JsonSerializable(typeof(Paging.PageResponse<Users.UserResponse>))]
[JsonSerializable(typeof(Products.CreateProductRequest))]
[JsonSerializable(typeof(Products.UpdateProductRequest))]
[JsonSerializable(typeof(Products.ProductResponse))]
[JsonSerializable(typeof(Paging.PageResponse<Products.ProductResponse>))]
[JsonSerializable(typeof(Paging.PageResponse<Products.ProductOrderResponse>))]
[JsonSerializable(typeof(Orders.CreateOrderRequest))]
[JsonSerializable(typeof(Orders.UpdateOrderRequest))]
[JsonSerializable(typeof(Orders.OrderResponse))]
[JsonSerializable(typeof(Paging.PageResponse<Orders.OrderResponse>))]
[JsonSerializable(typeof(Roles.CreateRoleRequest))]
[JsonSerializable(typeof(Roles.RoleResponse))]
[JsonSerializable(typeof(Roles.UserRoleResponse))]
[JsonSerializable(typeof(Paging.PageResponse<Roles.RoleResponse>))]
[JsonSerializable(typeof(Paging.PageResponse<Roles.UserRoleResponse>))]
[JsonSerializable(typeof(Comments.CreateCommentRequest))]
[JsonSerializable(typeof(Comments.CommentResponse))]
[JsonSerializable(typeof(Paging.PageResponse<Comments.CommentResponse>))]
[JsonSerializable(typeof(Paging.PageResponse<Audit.AuditEntryResponse>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
