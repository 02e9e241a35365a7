using Serverless.Testing;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Api.Tests.Support;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Writing;
using Serverless.Domain;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// The seed's edge scenario (values at every limit, text that breaks naive code), written by the data layer's
/// seeding code as the <c>seed</c> command writes it, then read through HTTP: every value comes back unchanged.
/// </summary>
public sealed class EdgeCaseValuesTests(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    private EdgeCaseData _edge = null!;

    private static Serverless.Data.Users.UserItemSealer? s_sealer;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var table = api.Services.GetRequiredService<TableOptions>();
        _edge = EdgeCaseData.Create(seed: 11, table.CreatedDateShards);
        Assert.Empty(_edge.Violations());
        var writer = new BatchWriter(api.DynamoDb, new BatchWriteOptions(), TimeProvider.System);
        // Unconditional puts of fixed ids: running once per test of this class leaves the same items.
        // One sealer for every test of the class: a user's key never changes, so the items put again must carry the same one.
        s_sealer ??= await Sealing.ForTableAsync(api.DynamoDb, api.TableName, Ct);
        await writer.PutAllAsync(api.TableName, _edge.Items(s_sealer), null, Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Edge_case_users_read_back_through_the_API_unchanged()
    {
        foreach (var expected in _edge.Users)
        {
            using var response = await api.SendAsync(HttpMethod.Get, $"/users/{expected.Id}", token: ApiFixture.AllScopes);
            var user = await response.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("\"1\"", response.Headers.ETag?.ToString());

            Assert.Equal(expected.Id.ToString(), Text(user, "id"));
            Assert.Equal(expected.Email, Text(user, "email"));
            Assert.Equal(expected.Name, Text(user, "name"));
            Assert.Equal(EnumNames.UserStatus.Name(expected.Status), Text(user, "status"));
            Assert.Equal(Sorted(expected.Metadata), Map(user.GetProperty("metadata")));
            if (expected.Profile is { } profile)
            {
                var actual = user.GetProperty("profile");
                Assert.Equal(profile.Avatar, Text(actual, "avatar"));
                Assert.Equal(profile.Bio, Text(actual, "bio"));
                Assert.Equal(Sorted(profile.Preferences), Map(actual.GetProperty("preferences")));
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, user.GetProperty("profile").ValueKind);
            }

            Assert.Equal(
                expected.Addresses.Select(a => (EnumNames.AddressType.Name(a.Type), a.Street, a.City, a.Country, a.IsDefault)),
                user.GetProperty("addresses").EnumerateArray().Select(a =>
                    (Text(a, "type")!, Text(a, "street")!, Text(a, "city")!, Text(a, "country")!, a.GetProperty("isDefault").GetBoolean())));
            Assert.Equal(expected.Balance, user.GetProperty("balance").GetDecimal());
            Assert.Equal(expected.Phone, Text(user, "phone"));
            Assert.Equal(expected.CreatedAt, user.GetProperty("createdAt").GetDateTimeOffset());
            Assert.Equal(expected.UpdatedAt, user.GetProperty("updatedAt").GetDateTimeOffset());
            Assert.Equal(expected.Version, user.GetProperty("version").GetInt64());
            Assert.False(user.TryGetProperty("passwordHash", out _));

            // The email as a query value (plus sign, percent sign, 255 characters) finds the same user.
            var byEmail = await api.GetOkAsync($"/users?email={Uri.EscapeDataString(expected.Email)}");
            Assert.Equal(expected.Id.ToString(), Assert.Single(byEmail.GetProperty("items").EnumerateArray()).Id());
        }

        // The boundary balances are all there: decimal(10,2)'s largest value, zero and one cent.
        Assert.Contains(_edge.Users, u => u.Balance == Limits.MaxMoney);
        Assert.Contains(_edge.Users, u => u.Balance == 0.00m);
        Assert.Contains(_edge.Users, u => u.Balance == 0.01m);
    }

    [Fact]
    public async Task Edge_case_products_and_roles_read_back_through_the_API_unchanged()
    {
        foreach (var expected in _edge.Products)
        {
            var product = await api.GetOkAsync($"/products/{expected.Id}");
            Assert.Equal(expected.Name, Text(product, "name"));
            Assert.Equal(expected.Description, Text(product, "description"));
            Assert.Equal(expected.Price, product.GetProperty("price").GetDecimal());
            Assert.Equal(expected.CreatedAt, product.GetProperty("createdAt").GetDateTimeOffset());
            Assert.Equal(expected.UpdatedAt, product.GetProperty("updatedAt").GetDateTimeOffset());
            Assert.Equal(expected.Version, product.GetProperty("version").GetInt64());
        }

        foreach (var expected in _edge.Roles)
        {
            var role = await api.GetOkAsync($"/roles/{expected.Id}");
            Assert.Equal(expected.Name, Text(role, "name"));
            Assert.Equal(expected.Description, Text(role, "description"));
            Assert.Equal(expected.CreatedAt, role.GetProperty("createdAt").GetDateTimeOffset());
        }

        foreach (var links in _edge.UserRoles.GroupBy(l => l.UserId))
        {
            var page = await api.GetOkAsync($"/users/{links.Key}/roles");
            Assert.Equal(
                links.Select(l => (l.RoleId.ToString(), l.RoleName, l.AssignedAt)).OrderBy(l => l.Item1, StringComparer.Ordinal),
                page.GetProperty("items").EnumerateArray().Select(l => (Text(l, "roleId")!, Text(l, "roleName")!, l.GetProperty("assignedAt").GetDateTimeOffset())));
        }
    }

    [Fact]
    public async Task Edge_case_orders_read_back_through_the_API_unchanged()
    {
        foreach (var expected in _edge.Orders)
        {
            var order = await api.GetOkAsync($"/orders/{expected.Id}");
            Assert.Equal(expected.UserId.ToString(), Text(order, "userId"));
            Assert.Equal(EnumNames.OrderStatus.Name(expected.Status), Text(order, "status"));
            Assert.Equal(expected.Total, order.GetProperty("total").GetDecimal());
            Assert.Equal(expected.OrderedAt, order.GetProperty("orderedAt").GetDateTimeOffset());
            Assert.Equal(expected.UserEmail, Text(order, "userEmail"));
            Assert.Equal(expected.UserName, Text(order, "userName"));
            Assert.Equal(expected.CreatedAt, order.GetProperty("createdAt").GetDateTimeOffset());
            Assert.Equal(expected.Version, order.GetProperty("version").GetInt64());

            // Lines come back in key order (by product id); the order of lines is not part of an order's meaning.
            Assert.Equal(
                expected.Items.Select(i => (i.ProductId.ToString(), i.ProductName, i.Quantity, i.UnitPrice, i.LineTotal)).OrderBy(i => i.Item1, StringComparer.Ordinal),
                order.GetProperty("items").EnumerateArray()
                    .Select(i => (Text(i, "productId")!, Text(i, "productName")!, i.GetProperty("quantity").GetInt32(), i.GetProperty("unitPrice").GetDecimal(), i.GetProperty("lineTotal").GetDecimal()))
                    .OrderBy(i => i.Item1, StringComparer.Ordinal));
        }

        Assert.Contains(_edge.Orders, o => o.Items.Count == Limits.MaxOrderItems);
    }

    [Fact]
    public async Task Edge_case_comments_read_back_through_the_API_unchanged()
    {
        foreach (var expected in _edge.Comments)
        {
            var segment = expected.TargetType switch
            {
                Domain.Comments.CommentTarget.Post => "posts",
                Domain.Comments.CommentTarget.Product => "products",
                _ => "users",
            };
            var page = await api.GetOkAsync($"/{segment}/{expected.TargetId}/comments");
            var comment = Assert.Single(page.GetProperty("items").EnumerateArray(), c => c.Id() == expected.Id.ToString());
            Assert.Equal(EnumNames.CommentTarget.Name(expected.TargetType), Text(comment, "targetType"));
            Assert.Equal(expected.TargetId.ToString(), Text(comment, "targetId"));
            Assert.Equal(expected.AuthorId?.ToString(), Text(comment, "authorId"));
            Assert.Equal(expected.Content, Text(comment, "content"));
            Assert.Equal(expected.CreatedAt, comment.GetProperty("createdAt").GetDateTimeOffset());
            Assert.Equal(expected.Version, comment.GetProperty("version").GetInt64());
        }

        Assert.Contains(_edge.Comments, c => c.Content.Length == Limits.MaxCommentContent);
    }

    private static string? Text(JsonElement element, string property) =>
        element.GetProperty(property) is { ValueKind: JsonValueKind.Null } ? null : element.GetProperty(property).GetString();

    private static List<KeyValuePair<string, string>> Sorted(IReadOnlyDictionary<string, string> map) =>
        [.. map.OrderBy(e => e.Key, StringComparer.Ordinal)];

    private static List<KeyValuePair<string, string>> Map(JsonElement map) =>
        [.. map.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).OrderBy(e => e.Key, StringComparer.Ordinal)];
}
