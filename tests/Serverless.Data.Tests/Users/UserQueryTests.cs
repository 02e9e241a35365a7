using Serverless.Data.Paging;
using Serverless.Domain;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Users;

public sealed class UserQueryTests(DynamoDbLocalFixture dynamo) : UserRepositoryTestBase(dynamo)
{
    [Fact]
    public async Task Recent_users_come_newest_first_within_the_last_n_days_across_months_and_pages()
    {
        var old = await CreateAtAsync(Start.AddDays(-40), NewUser("old@example.com"));
        var expected = new List<User>();
        for (var i = 0; i < 7; i++)
        {
            // Spread over February and March; two share a millisecond to exercise the tie-break.
            var at = Start.AddDays(-25 + (4 * i)).AddMilliseconds(i == 3 ? 0 : i);
            expected.Add(await CreateAtAsync(at, NewUser($"u{i}@example.com")));
        }

        expected.Add(await CreateAtAsync(expected[3].CreatedAt, NewUser("tie@example.com")));
        Clock.Set(Start);
        Table.Requests.Clear();

        var pages = await AllPagesAsync(cursor => Users.RecentAsync(30, null, new PageRequest(3, cursor), Ct));

        var newestFirst = expected.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id.ToString("D"), StringComparer.Ordinal).Select(u => u.Id);
        Assert.Equal(newestFirst, pages.SelectMany(p => p).Select(u => u.Id));
        Assert.Equal([3, 3, 2], pages.Select(p => p.Count));
        Assert.DoesNotContain(old.Id, pages.SelectMany(p => p).Select(u => u.Id));
        // Queries, and one BatchGetItem per page for the listed users' keys when they are not in memory.
        Assert.All(Table.Requests.Operations, op => Assert.Contains(op, new[] { "Query", "BatchGetItem" }));
    }

    [Fact]
    public async Task Recent_users_can_be_limited_to_one_status()
    {
        var active = await CreateAtAsync(Start.AddDays(-2), NewUser("a@example.com"));
        await CreateAtAsync(Start.AddDays(-1), NewUser("i@example.com") with { Status = UserStatus.Inactive });
        Clock.Set(Start);

        var page = await Users.RecentAsync(7, UserStatus.Active, new PageRequest(), Ct);

        Assert.Equal([active.Id], page.Items.Select(u => u.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Users_by_status_come_newest_first_with_pages()
    {
        var inactive = new List<User>();
        for (var i = 0; i < 5; i++)
        {
            inactive.Add(await CreateAtAsync(Start.AddHours(i), NewUser($"i{i}@example.com") with { Status = UserStatus.Inactive }));
            await CreateAtAsync(Start.AddHours(i).AddMinutes(1), NewUser($"a{i}@example.com"));
        }

        Table.Requests.Clear();
        var pages = await AllPagesAsync(cursor => Users.ByStatusAsync(UserStatus.Inactive, new PageRequest(2, cursor), Ct));

        Assert.Equal(inactive.AsEnumerable().Reverse().Select(u => u.Id), pages.SelectMany(p => p).Select(u => u.Id));
        // Queries, and one BatchGetItem per page for the listed users' keys when they are not in memory.
        Assert.All(Table.Requests.Operations, op => Assert.Contains(op, new[] { "Query", "BatchGetItem" }));
    }

    [Fact]
    public async Task Users_by_city_match_any_case_and_spacing_in_id_order()
    {
        var londoners = new List<User>
        {
            await CreateAtAsync(Start, NewUser("a@example.com", "A", "London")),
            await CreateAtAsync(Start, NewUser("b@example.com", "B", "Paris", " LONDON ")),
            await CreateAtAsync(Start, NewUser("c@example.com", "C", "london")),
        };
        await CreateAtAsync(Start, NewUser("d@example.com", "D", "Londonderry"));
        Table.Requests.Clear();

        var pages = await AllPagesAsync(cursor => Users.ByCityAsync("London", new PageRequest(2, cursor), Ct));

        Assert.Equal(londoners.Select(u => u.Id).OrderBy(id => id.ToString("D"), StringComparer.Ordinal), pages.SelectMany(p => p).Select(u => u.Id));
        Assert.DoesNotContain("Scan", Table.Requests.Operations);
        Assert.Equal(["BatchGetItem", "Query"], Table.Requests.Operations.Distinct().Order());
    }

    [Fact]
    public async Task Name_search_finds_users_having_every_stemmed_word()
    {
        var both = await CreateAtAsync(Start, NewUser("a@example.com", "Ada Connected Lovelace"));
        var both2 = await CreateAtAsync(Start, NewUser("b@example.com", "lovelace, ADA (connections)"));
        await CreateAtAsync(Start, NewUser("c@example.com", "Ada Byron"));
        await CreateAtAsync(Start, NewUser("d@example.com", "Lovelace Connecting"));
        Table.Requests.Clear();

        var page = await Users.SearchByNameAsync("ada CONNECTION", new PageRequest(), Ct);

        Assert.Equal(new[] { both.Id, both2.Id }.Order(), page.Items.Select(u => u.Id).Order());
        Assert.Null(page.NextCursor);
        Assert.Equal(["BatchGetItem", "Query"], Table.Requests.Operations.Distinct().Order());
    }

    [Fact]
    public async Task Name_search_pages_through_all_matches_without_repeats()
    {
        var matches = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            matches.Add((await CreateAtAsync(Start, NewUser($"m{i}@example.com", $"Grace Hopper {i}"))).Id);
            await CreateAtAsync(Start, NewUser($"n{i}@example.com", $"Grace Kelly {i}"));
        }

        var pages = await AllPagesAsync(cursor => Users.SearchByNameAsync("hopper grace", new PageRequest(2, cursor), Ct));

        Assert.Equal(matches.Order(), pages.SelectMany(p => p).Select(u => u.Id).Order());
        Assert.Equal(7, pages.SelectMany(p => p).Select(u => u.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_tampered_cursor_is_rejected()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAtAsync(Start.AddMinutes(i), NewUser($"u{i}@example.com"));
        }

        var first = await Users.ByStatusAsync(UserStatus.Active, new PageRequest(1), Ct);
        var cursor = first.NextCursor!;
        var tampered = cursor[..^2] + (cursor[^2] == 'A' ? "B" : "A") + cursor[^1];

        await Assert.ThrowsAsync<InvalidCursorException>(() => Users.ByStatusAsync(UserStatus.Active, new PageRequest(1, tampered), Ct));
        // A genuine cursor of another query is rejected too.
        await Assert.ThrowsAsync<InvalidCursorException>(() => Users.ByStatusAsync(UserStatus.Inactive, new PageRequest(1, cursor), Ct));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Users.RecentAsync(30, null, new PageRequest(1, cursor), Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task A_page_limit_out_of_range_is_a_validation_error(int limit)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Users.ByStatusAsync(UserStatus.Active, new PageRequest(limit), Ct));
        Assert.Equal("limit", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public async Task Searches_without_words_or_with_too_many_are_validation_errors()
    {
        await Assert.ThrowsAsync<ValidationException>(() => Users.SearchByNameAsync(" -- ", new PageRequest(), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => Users.SearchByNameAsync("a b c d e f", new PageRequest(), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => Users.RecentAsync(0, null, new PageRequest(), Ct));
        await Assert.ThrowsAsync<ValidationException>(() => Users.RecentAsync(7, UserStatus.Deleted, new PageRequest(), Ct));
    }

    internal static async Task<List<IReadOnlyList<User>>> AllPagesAsync(Func<string?, Task<Page<User>>> fetch)
    {
        var pages = new List<IReadOnlyList<User>>();
        string? cursor = null;
        do
        {
            var page = await fetch(cursor);
            pages.Add(page.Items);
            cursor = page.NextCursor;
            Assert.True(pages.Count < 50, "Paging did not end.");
        }
        while (cursor is not null);

        return pages;
    }
}
