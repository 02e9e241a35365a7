using Serverless.Data.Tests.Support;
using Serverless.Data.Users;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Users;

/// <summary>
/// The items that index a user (email marker, name word, city): the stored shape of each is pinned under
/// Approved/ (a renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class UserIndexItemMapperTests
{
    [Fact]
    public void Email_marker_item_shape_is_pinned() =>
        Approvals.Verify("EmailMarker", ItemJson.Render(UserIndexItemMapper.EmailMarker(Samples.User() with { Email = "Ada.Lovelace@Example.com" }, "1.blind-index-of-the-email", 1)));

    [Fact]
    public void User_word_item_shape_is_pinned() =>
        Approvals.Verify("UserWord", ItemJson.Render(UserIndexItemMapper.Word(Samples.User(), "lovelac")));

    [Fact]
    public void User_city_item_shape_is_pinned() =>
        Approvals.Verify("UserCity", ItemJson.Render(UserIndexItemMapper.City(Samples.User(), "london")));
}
