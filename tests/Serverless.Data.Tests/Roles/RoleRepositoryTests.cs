using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Domain;
using Serverless.Domain.Roles;
using Serverless.Testing;

namespace Serverless.Data.Tests.Roles;

public sealed class RoleRepositoryTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private Task<Role> NewRoleAsync(string name) =>
        _data.Roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = name }, "user:root", Ct);

    [Fact]
    public async Task A_created_role_reads_back_and_roles_list_by_name_across_pages_each_once()
    {
        string[] names = ["viewer", "Admin", "editor", "Billing", "support"];
        var created = new List<Role>();
        foreach (var name in names)
        {
            created.Add(await NewRoleAsync(name));
        }

        Assert.Equal(created[0], await _data.Roles.GetAsync(created[0].Id, Ct));
        _data.Table.Requests.Clear();
        var pages = await DataScope.AllPagesAsync(p => _data.Roles.ListAsync(p, Ct), limit: 2);

        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase), pages.SelectMany(p => p).Select(r => r.Name));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task An_invalid_role_is_rejected_and_nothing_is_written()
    {
        await Assert.ThrowsAsync<ValidationException>(() => NewRoleAsync(" "));
        Assert.Empty(await _data.AllItemsAsync());
    }

    [Fact]
    public async Task Assigning_a_role_links_the_user_and_lists_it_for_the_user_in_one_query()
    {
        var user = await _data.NewUserAsync();
        var (admin, editor) = (await NewRoleAsync("Admin"), await NewRoleAsync("Editor"));

        var assigned = await _data.Roles.AssignAsync(user.Id, admin.Id, "user:root", Ct);
        await _data.Roles.AssignAsync(user.Id, editor.Id, "user:root", Ct);

        Assert.True(assigned.Created);
        Assert.Equal((user.Id, admin.Id, "Admin", DataScope.Start), (assigned.Link.UserId, assigned.Link.RoleId, assigned.Link.RoleName, assigned.Link.AssignedAt));
        _data.Table.Requests.Clear();
        var roles = await _data.Roles.ListRolesOfUserAsync(user.Id, new(), Ct);
        Assert.Equal(["Query"], _data.Requests);
        Assert.Null(roles.NextCursor);
        Assert.Equal(new[] { admin.Id, editor.Id }.Order(), roles.Items.Select(r => r.RoleId).Order());
    }

    [Fact]
    public async Task Assigning_a_held_role_again_keeps_the_one_link_and_its_first_assignment_time()
    {
        var user = await _data.NewUserAsync();
        var role = await NewRoleAsync("Admin");
        var first = await _data.Roles.AssignAsync(user.Id, role.Id, "user:first", Ct);
        _data.Clock.Advance(TimeSpan.FromDays(1));

        var again = await _data.Roles.AssignAsync(user.Id, role.Id, "user:second", Ct);

        Assert.False(again.Created);
        Assert.Equal(first.Link, again.Link);
        var links = (await _data.AllItemsAsync()).Where(i => i[Attr.EntityType].S == EntityTypes.UserRole).ToList();
        Assert.Equal("user:first", Assert.Single(links)[Attr.LastWriter].S);
    }

    [Fact]
    public async Task Assigning_to_a_missing_or_deleted_user_or_a_missing_role_is_not_found_and_writes_nothing()
    {
        var role = await NewRoleAsync("Admin");
        var deleted = await _data.NewUserAsync();
        await _data.Users.DeleteAsync(deleted.Id, deleted.Version, "t", Ct);
        var user = await _data.NewUserAsync();

        Assert.Equal("User", (await Assert.ThrowsAsync<NotFoundException>(() => _data.Roles.AssignAsync(Guid.NewGuid(), role.Id, "t", Ct))).Entity);
        Assert.Equal("User", (await Assert.ThrowsAsync<NotFoundException>(() => _data.Roles.AssignAsync(deleted.Id, role.Id, "t", Ct))).Entity);
        Assert.Equal("Role", (await Assert.ThrowsAsync<NotFoundException>(() => _data.Roles.AssignAsync(user.Id, Guid.NewGuid(), "t", Ct))).Entity);

        Assert.DoesNotContain(await _data.AllItemsAsync(), i => i[Attr.EntityType].S == EntityTypes.UserRole);
    }

    [Fact]
    public async Task Unassigning_removes_the_link_once_and_a_second_unassign_reports_nothing_removed()
    {
        var user = await _data.NewUserAsync();
        var (admin, editor) = (await NewRoleAsync("Admin"), await NewRoleAsync("Editor"));
        await _data.Roles.AssignAsync(user.Id, admin.Id, "t", Ct);
        await _data.Roles.AssignAsync(user.Id, editor.Id, "t", Ct);

        Assert.True(await _data.Roles.UnassignAsync(user.Id, admin.Id, "user:root", Ct));
        Assert.False(await _data.Roles.UnassignAsync(user.Id, admin.Id, "user:root", Ct));

        Assert.Equal([editor.Id], (await _data.Roles.ListRolesOfUserAsync(user.Id, new(), Ct)).Items.Select(r => r.RoleId));
        Assert.Equal(1, (await _data.AllItemsAsync()).Count(i => i[Attr.EntityType].S == EntityTypes.UserRole));
    }

    [Fact]
    public async Task A_roles_users_page_through_the_index_each_exactly_once_without_a_scan()
    {
        var (role, other) = (await NewRoleAsync("Member"), await NewRoleAsync("Other"));
        var members = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var user = await _data.NewUserAsync();
            await _data.Roles.AssignAsync(user.Id, role.Id, "t", Ct);
            members.Add(user.Id);
        }

        var outsider = await _data.NewUserAsync();
        await _data.Roles.AssignAsync(outsider.Id, other.Id, "t", Ct);
        _data.Table.Requests.Clear();

        var pages = await DataScope.AllPagesAsync(p => _data.Roles.ListUsersOfRoleAsync(role.Id, p, Ct), limit: 3);

        // GSI1 sorts a role's links by user id.
        Assert.Equal(members.OrderBy(id => id.ToString("D"), StringComparer.Ordinal), pages.SelectMany(p => p).Select(l => l.UserId));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task A_users_roles_page_through_the_users_partition_each_exactly_once_without_a_scan()
    {
        var user = await _data.NewUserAsync();
        var other = await _data.NewUserAsync();
        var held = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var role = await NewRoleAsync($"Role {i}");
            await _data.Roles.AssignAsync(user.Id, role.Id, "t", Ct);
            held.Add(role.Id);
        }

        await _data.Roles.AssignAsync(other.Id, held[0], "t", Ct);
        _data.Table.Requests.Clear();

        var pages = await DataScope.AllPagesAsync(p => _data.Roles.ListRolesOfUserAsync(user.Id, p, Ct), limit: 2);

        // The sort key ROLE#<roleId> orders a user's links by role id.
        Assert.Equal(held.OrderBy(id => id.ToString("D"), StringComparer.Ordinal), pages.SelectMany(p => p).Select(l => l.RoleId));
        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }
}
