using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Users;

/// <summary>
/// A user item survives write-read-write unchanged; a version 1 item is read, a newer one or an unknown status
/// refused; and its stored shape is pinned under Approved/ (a renamed attribute or a changed encoding fails
/// here first).
/// </summary>
public sealed class UserMapperTests
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
        item[Attr.SchemaVersion] = Av.N(SchemaVersions.User + 1);
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
}
