using Serverless.Data.Roles;
using Serverless.Data.Tests.Support;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Roles;

/// <summary>
/// A role item survives write-read-write unchanged, and its stored shape (and its name marker's) is pinned
/// under Approved/ (a renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class RoleMapperTests
{
    [Fact]
    public void A_role_survives_write_read_write()
    {
        var role = RoleMapper.ToItem(Samples.Role());
        Assert.Equal(ItemJson.Render(role), ItemJson.Render(RoleMapper.ToItem(RoleMapper.FromItem(role))));
    }

    [Fact]
    public void Role_item_shape_is_pinned() =>
        Approvals.Verify("Role", ItemJson.Render(RoleMapper.ToItem(Samples.Role())));

    [Fact]
    public void Role_name_marker_item_shape_is_pinned() =>
        Approvals.Verify("RoleNameMarker", ItemJson.Render(RoleMapper.NameMarker(Samples.Role() with { Name = "  Support   TEAM " })));
}
