using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Domain;

/// <summary>The one place where enum values get the names the seed spells; data layer and API both use it.</summary>
public static class EnumNames
{
    public static EnumNameMap<UserStatus> UserStatus { get; } = new(
        (Users.UserStatus.Active, "active"),
        (Users.UserStatus.Inactive, "inactive"),
        (Users.UserStatus.Suspended, "suspended"),
        (Users.UserStatus.Deleted, "deleted"));

    public static EnumNameMap<AddressType> AddressType { get; } = new(
        (Users.AddressType.Home, "home"),
        (Users.AddressType.Work, "work"),
        (Users.AddressType.Other, "other"));

    public static EnumNameMap<OrderStatus> OrderStatus { get; } = new(
        (Orders.OrderStatus.Pending, "pending"),
        (Orders.OrderStatus.Processing, "processing"),
        (Orders.OrderStatus.Shipped, "shipped"),
        (Orders.OrderStatus.Delivered, "delivered"),
        (Orders.OrderStatus.Cancelled, "cancelled"));

    /// <summary>The seed's commentable_type values are capitalised: 'Post', 'Product', 'User'.</summary>
    public static EnumNameMap<CommentTarget> CommentTarget { get; } = new(
        (Comments.CommentTarget.Post, "Post"),
        (Comments.CommentTarget.Product, "Product"),
        (Comments.CommentTarget.User, "User"));

    /// <summary>The seed's audit_log.action values: INSERT, UPDATE, DELETE.</summary>
    public static EnumNameMap<AuditAction> AuditAction { get; } = new(
        (Audit.AuditAction.Insert, "INSERT"),
        (Audit.AuditAction.Update, "UPDATE"),
        (Audit.AuditAction.Delete, "DELETE"));

    public static string ToName(this UserStatus value) => UserStatus.Name(value);

    public static string ToName(this AddressType value) => AddressType.Name(value);

    public static string ToName(this OrderStatus value) => OrderStatus.Name(value);

    public static string ToName(this CommentTarget value) => CommentTarget.Name(value);

    public static string ToName(this AuditAction value) => AuditAction.Name(value);
}
