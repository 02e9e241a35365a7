using Serverless.Data.Roles;
using Serverless.Data.Tests.Support;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Roles;

/// <summary>
/// A user's role assignment item survives write-read-write unchanged, and its stored shape is pinned under
/// Approved/ (a renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class UserRoleMapperTests
{
    [Fact]
    public void A_user_role_survives_write_read_write()
    {
        var link = UserRoleMapper.ToItem(Samples.UserRole());
        Assert.Equal(ItemJson.Render(link), ItemJson.Render(UserRoleMapper.ToItem(UserRoleMapper.FromItem(link))));
    }

    [Fact]
    public void User_role_item_shape_is_pinned() =>
        Approvals.Verify("UserRole", ItemJson.Render(UserRoleMapper.ToItem(Samples.UserRole())));
}
