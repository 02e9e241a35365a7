using Amazon.DynamoDBv2.Model;
using Serverless.Data.Audit;
using Serverless.Data.Comments;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Mapping;

/// <summary>Reading an item and writing it again gives the same item: nothing is lost or changed in mapping.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public void A_user_survives_write_read_write()
    {
        var item = UserMapper.ToItem(Samples.User(), 1);
        Assert.Equal(ItemJson.Render(item), ItemJson.Render(UserMapper.ToItem(UserMapper.FromItem(item), 1)));
    }

    [Fact]
    public void Decimals_keep_their_exact_digits()
    {
        var user = Samples.User() with { Balance = 99999999.99m };
        var item = UserMapper.ToItem(user, 1);
        Assert.Equal("99999999.99", item[Attr.Balance].N);
        Assert.Equal(99999999.99m, UserMapper.FromItem(item).Balance);
    }

    [Fact]
    public void Every_other_entity_survives_write_read_write()
    {
        var order = Samples.Order();
        var orderItems = OrderMapper.ToItems(order);
        var readOrder = OrderMapper.FromItems(orderItems);
        Assert.Equal(Render(orderItems), Render(OrderMapper.ToItems(readOrder)));

        var product = ProductMapper.ToItem(Samples.Product());
        Assert.Equal(ItemJson.Render(product), ItemJson.Render(ProductMapper.ToItem(ProductMapper.FromItem(product))));
        var role = RoleMapper.ToItem(Samples.Role());
        Assert.Equal(ItemJson.Render(role), ItemJson.Render(RoleMapper.ToItem(RoleMapper.FromItem(role))));
        var link = UserRoleMapper.ToItem(Samples.UserRole());
        Assert.Equal(ItemJson.Render(link), ItemJson.Render(UserRoleMapper.ToItem(UserRoleMapper.FromItem(link))));
        var comment = CommentMapper.ToItem(Samples.Comment());
        Assert.Equal(ItemJson.Render(comment), ItemJson.Render(CommentMapper.ToItem(CommentMapper.FromItem(comment))));
        var expires = Samples.Updated.AddDays(365);
        var audit = AuditEntryMapper.ToItem(Samples.AuditEntry(), expires);
        Assert.Equal(ItemJson.Render(audit), ItemJson.Render(AuditEntryMapper.ToItem(AuditEntryMapper.FromItem(audit), expires)));
    }

    [Fact]
    public void A_version_1_user_has_a_valid_phone_moved_out_of_metadata()
    {
        var item = VersionOneItem(phone: "+14155550123");
        var user = UserMapper.FromItem(item);
        Assert.Equal("+14155550123", user.Phone);
        Assert.False(user.Metadata.ContainsKey("phone"));
        Assert.Equal("import", user.Metadata["source"]);
        Assert.Equal(SchemaVersions.User.ToString(System.Globalization.CultureInfo.InvariantCulture), UserMapper.ToItem(user, 1)[Attr.SchemaVersion].N);
    }

    [Fact]
    public void A_version_1_user_with_an_invalid_phone_keeps_it_in_metadata()
    {
        var user = UserMapper.FromItem(VersionOneItem(phone: "555-0123"));
        Assert.Null(user.Phone);
        Assert.Equal("555-0123", user.Metadata["phone"]);
    }

    [Fact]
    public void An_item_of_a_newer_schema_version_is_refused()
    {
        var item = UserMapper.ToItem(Samples.User(), 1);
        item[Attr.SchemaVersion] = Av.N(3);
        Assert.Throws<InvalidItemException>(() => UserMapper.FromItem(item));
    }

    [Fact]
    public void An_item_with_an_unknown_status_is_refused()
    {
        var item = UserMapper.ToItem(Samples.User(), 1);
        item[Attr.Status] = Av.S("banned");
        Assert.Throws<InvalidItemException>(() => UserMapper.FromItem(item));
    }

    private static Dictionary<string, AttributeValue> VersionOneItem(string phone)
    {
        var item = UserMapper.ToItem(Samples.User() with { Phone = null, Status = UserStatus.Active }, 1);
        item[Attr.SchemaVersion] = Av.N(1);
        item[Attr.Metadata] = Av.StringMap(new Dictionary<string, string> { ["source"] = "import", ["phone"] = phone });
        return item;
    }

    private static string Render(IEnumerable<Dictionary<string, AttributeValue>> items) =>
        string.Join("", items.Select(ItemJson.Render));
}
