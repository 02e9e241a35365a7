using Serverless.Data.Audit;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Mapping;

/// <summary>Pins the stored shape of every item type: a renamed attribute or changed encoding fails here first.</summary>
public sealed class StoredShapeApprovalTests
{
    [Fact]
    public void User_item_shape_is_pinned() =>
        Approvals.Verify("User", ItemJson.Render(UserMapper.ToItem(Samples.User(), createdDateShards: 1)));

    [Fact]
    public void User_item_shape_with_write_shards_is_pinned() =>
        Approvals.Verify("User.sharded", ItemJson.Render(UserMapper.ToItem(Samples.User(), createdDateShards: 4)));

    [Fact]
    public void Soft_deleted_user_item_shape_is_pinned()
    {
        var deleted = Samples.User() with
        {
            Status = UserStatus.Deleted,
            DeletedAt = Samples.Updated,
            PurgeAfter = Samples.Updated.AddDays(30),
            Profile = null,
            Phone = null,
        };
        Approvals.Verify("User.deleted", ItemJson.Render(UserMapper.ToItem(deleted, createdDateShards: 1)));
    }

    [Fact]
    public void Email_marker_item_shape_is_pinned() =>
        Approvals.Verify("EmailMarker", ItemJson.Render(UserIndexItemMapper.EmailMarker(Samples.User() with { Email = "Ada.Lovelace@Example.com" })));

    [Fact]
    public void User_word_item_shape_is_pinned() =>
        Approvals.Verify("UserWord", ItemJson.Render(UserIndexItemMapper.Word(Samples.User(), "lovelac")));

    [Fact]
    public void User_city_item_shape_is_pinned() =>
        Approvals.Verify("UserCity", ItemJson.Render(UserIndexItemMapper.City(Samples.User(), "london")));

    [Fact]
    public void Order_header_item_shape_is_pinned() =>
        Approvals.Verify("Order", ItemJson.Render(OrderMapper.ToHeaderItem(Samples.Order())));

    [Fact]
    public void Order_item_item_shape_is_pinned() =>
        Approvals.Verify("OrderItem", ItemJson.Render(OrderMapper.ToLineItem(Samples.Order(), Samples.Order().Items[0])));

    [Fact]
    public void Product_item_shape_is_pinned() =>
        Approvals.Verify("Product", ItemJson.Render(ProductMapper.ToItem(Samples.Product())));

    [Fact]
    public void Role_item_shape_is_pinned() =>
        Approvals.Verify("Role", ItemJson.Render(RoleMapper.ToItem(Samples.Role())));

    [Fact]
    public void Role_name_marker_item_shape_is_pinned() =>
        Approvals.Verify("RoleNameMarker", ItemJson.Render(RoleMapper.NameMarker(Samples.Role() with { Name = "  Support   TEAM " })));

    [Fact]
    public void User_role_item_shape_is_pinned() =>
        Approvals.Verify("UserRole", ItemJson.Render(UserRoleMapper.ToItem(Samples.UserRole())));

    [Fact]
    public void Comment_item_shape_is_pinned() =>
        Approvals.Verify("Comment", ItemJson.Render(CommentMapper.ToItem(Samples.Comment())));

    [Fact]
    public void Audit_entry_item_shape_is_pinned() =>
        Approvals.Verify("AuditEntry", ItemJson.Render(AuditEntryMapper.ToItem(Samples.AuditEntry(), Samples.Updated.AddDays(365))));
}
