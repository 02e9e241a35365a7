using Serverless.Data.Users;
using Serverless.Data.Table;
using Serverless.Domain;
using Serverless.Domain.Users;
using Serverless.Testing;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Users;

public sealed class UserWriteTests(DynamoDbLocalFixture dynamo) : UserRepositoryTestBase(dynamo)
{
    [Fact]
    public async Task Creating_a_user_stores_it_with_its_marker_words_and_cities_in_one_transaction()
    {
        var created = await CreateAtAsync(Start, NewUser(" Ada.Lovelace@Example.com ", "Ada Lovelace", "London", "Cambridge"));

        Assert.Equal(1, created.Version);
        Assert.Equal(Start, created.CreatedAt);
        Assert.Equal(Start, created.UpdatedAt);
        Assert.Equal("test:creator", created.LastWriter);
        Assert.Equal("Ada.Lovelace@Example.com", created.Email);
        Assert.Equal(["TransactWriteItems"], Table.Requests.Operations);
        var user = $"USER#{created.Id:D}";
        Assert.Equal(
            new[] { "EMAIL#ada.lovelace@example.com / EMAIL", $"{user} / CITY#cambridge", $"{user} / CITY#london", $"{user} / PROFILE", $"{user} / WORD#ada", $"{user} / WORD#lovelac" }.Order(StringComparer.Ordinal),
            await ItemsAsync());
    }

    [Fact]
    public async Task A_created_user_is_found_by_id_and_by_email_in_any_case()
    {
        var created = await CreateAtAsync(Start, NewUser("grace@example.com", "Grace Hopper"));
        Table.Requests.Clear();

        var byId = await Users.GetAsync(created.Id, Ct);
        var byEmail = await Users.GetByEmailAsync("  GRACE@Example.COM", Ct);

        Assert.Equal(created.Id, byId?.Id);
        Assert.Equal(created.Email, byId?.Email);
        Assert.Equal(created.Balance, byId?.Balance);
        Assert.Equal(created.Id, byEmail?.Id);
        Assert.Equal(["GetItem", "Query"], Table.Requests.Operations);
        Assert.Null(await Users.GetAsync(Guid.NewGuid(), Ct));
        Assert.Null(await Users.GetByEmailAsync("nobody@example.com", Ct));
    }

    [Fact]
    public async Task Fifty_concurrent_creates_with_one_email_let_exactly_one_win()
    {
        var attempts = Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => Users.CreateAsync(NewUser(i % 2 == 0 ? "race@example.com" : "RACE@example.com "), "test:racer", Ct), Ct))
            .ToList();
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                return (User: (User?)await t, Error: (Exception?)null);
            }
            catch (ConflictException ex)
            {
                return (User: (User?)null, Error: (Exception?)ex);
            }
        }));

        var winner = Assert.Single(outcomes, o => o.User is not null).User!;
        Assert.Equal(49, outcomes.Count(o => o.Error is ConflictException { Field: "email" }));
        var items = await Table.AllItemsAsync(Ct);
        var marker = Assert.Single(items, i => i[Attr.EntityType].S == EntityTypes.EmailMarker);
        Assert.Equal(winner.Id.ToString("D"), marker[Attr.UserId].S);
        var user = Assert.Single(items, i => i[Attr.EntityType].S == EntityTypes.User);
        Assert.Equal(winner.Id.ToString("D"), user[Attr.Id].S);
    }

    [Fact]
    public async Task Changing_the_email_frees_the_old_one_and_takes_the_new_one_atomically()
    {
        var ada = await CreateAtAsync(Start, NewUser("old@example.com"));
        Table.Requests.Clear();

        var updated = await Users.UpdateAsync(ada with { Email = "new@example.com" }, ada.Version, "test:editor", Ct);

        Assert.Equal(["GetItem", "TransactWriteItems"], Table.Requests.Operations);
        Assert.Equal(2, updated.Version);
        Assert.Null(await Users.GetByEmailAsync("old@example.com", Ct));
        Assert.Equal(ada.Id, (await Users.GetByEmailAsync("new@example.com", Ct))?.Id);
        var markers = (await ItemsAsync()).Where(k => k.StartsWith("EMAIL#", StringComparison.Ordinal));
        Assert.Equal(["EMAIL#new@example.com / EMAIL"], markers);
        // The old address is free for someone else.
        await Users.CreateAsync(NewUser("old@example.com"), "test:creator", Ct);
    }

    [Fact]
    public async Task Changing_the_email_to_a_taken_one_fails_with_conflict_and_changes_nothing()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com"));
        await Users.CreateAsync(NewUser("grace@example.com"), "test:creator", Ct);
        var before = await SnapshotAsync();

        var error = await Assert.ThrowsAsync<ConflictException>(() => Users.UpdateAsync(ada with { Email = "Grace@example.com", Name = "Renamed" }, ada.Version, "test:editor", Ct));

        Assert.Equal("email", error.Field);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task An_update_with_a_stale_version_fails_and_changes_nothing()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com"));
        var renamed = await Users.UpdateAsync(ada with { Name = "Ada King" }, ada.Version, "test:first", Ct);
        var before = await SnapshotAsync();

        await Assert.ThrowsAsync<ConcurrencyException>(() => Users.UpdateAsync(ada with { Name = "Ada Byron", Email = "byron@example.com" }, ada.Version, "test:second", Ct));
        await Assert.ThrowsAsync<ConcurrencyException>(() => Users.DeleteAsync(ada.Id, ada.Version, "test:second", Ct));

        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(renamed.Version, (await Users.GetAsync(ada.Id, Ct))?.Version);
    }

    [Fact]
    public async Task Updating_a_missing_user_fails_with_not_found() =>
        await Assert.ThrowsAsync<NotFoundException>(() => Users.UpdateAsync(NewUser("ghost@example.com"), 1, "test:editor", Ct));

    [Fact]
    public async Task Renaming_and_moving_rewrites_the_word_and_city_items()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com", "Ada Lovelace", "London"));

        await Users.UpdateAsync(ada with { Name = "Ada King", Addresses = NewUser("x@example.com", "x", "Paris").Addresses }, ada.Version, "test:editor", Ct);

        var user = $"USER#{ada.Id:D}";
        Assert.Equal(
            new[] { "EMAIL#ada@example.com / EMAIL", $"{user} / CITY#paris", $"{user} / PROFILE", $"{user} / WORD#ada", $"{user} / WORD#king" }.Order(StringComparer.Ordinal),
            await ItemsAsync());
    }

    [Fact]
    public async Task Lazily_upgraded_version_1_users_are_written_back_in_the_newest_shape()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com"));
        var user = await Users.UpdateAsync(ada with { Phone = null, Metadata = new Dictionary<string, string> { ["phone"] = "+14155550123" } }, ada.Version, "test", Ct);
        // Turn the stored item into a version 1 item, as written before the migration.
        await Table.Admin.UpdateItemAsync(new Amazon.DynamoDBv2.Model.UpdateItemRequest
        {
            TableName = Table.Name,
            Key = Keys.User(ada.Id).ToAttributes(),
            UpdateExpression = "SET schemaVersion = :v REMOVE phone",
            ExpressionAttributeValues = new() { [":v"] = Data.Items.Av.N(1) },
        }, Ct);

        var read = await Users.GetAsync(ada.Id, Ct);
        Assert.Equal("+14155550123", read?.Phone);
        await Users.UpdateAsync(read!, user.Version, "test", Ct);

        var raw = (await Table.AllItemsAsync(Ct)).Single(i => i[Attr.SK].S == "PROFILE");
        Assert.True(Serverless.Data.Privacy.FieldCipher.IsCiphertext(raw[Attr.Phone]), "the moved phone is stored encrypted");
        var stored = UserProtection.Open(raw, await Access.Privacy.ForUserAsync(ada.Id, consistent: true, Ct));
        Assert.Equal(SchemaVersions.User.ToString(System.Globalization.CultureInfo.InvariantCulture), stored[Attr.SchemaVersion].N);
        Assert.Equal("+14155550123", stored[Attr.Phone].S);
        Assert.False(stored[Attr.Metadata].M.ContainsKey("phone"));
    }

    public static TheoryData<string, User> InvalidUsers => new()
    {
        { "email", NewUser("not-an-email") },
        { "email", NewUser(new string('a', 250) + "@x.org") },
        { "name", NewUser("a@example.com", "") },
        { "name", NewUser("a@example.com", new string('n', 256)) },
        { "passwordHash", NewUser("a@example.com") with { PasswordHash = "" } },
        { "status", NewUser("a@example.com") with { Status = (UserStatus)99 } },
        { "status", NewUser("a@example.com") with { Status = UserStatus.Deleted } },
        { "balance", NewUser("a@example.com") with { Balance = -0.01m } },
        { "balance", NewUser("a@example.com") with { Balance = 1.001m } },
        { "phone", NewUser("a@example.com") with { Phone = "0123" } },
        { "addresses[0].type", NewUser("a@example.com", "Ada", "London") with { Addresses = [new Address { Type = (AddressType)9, Street = "s", City = "c", Country = "GB" }] } },
        { "addresses[0].city", NewUser("a@example.com", "Ada") with { Addresses = [new Address { Type = AddressType.Home, Street = "s", City = new string('c', 256), Country = "GB" }] } },
        { "metadata.note", NewUser("a@example.com") with { Metadata = new Dictionary<string, string> { ["note"] = new string('v', 256) } } },
    };

    [Theory]
    [MemberData(nameof(InvalidUsers))]
    public async Task Every_invalid_value_the_seed_names_is_rejected_and_nothing_is_written(string field, User user)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Users.CreateAsync(user, "test:creator", Ct));

        Assert.Contains(error.Errors, e => e.Field == field);
        Assert.Empty(await Table.AllItemsAsync(Ct));
        Assert.Empty(Table.Requests.Operations);
    }

    [Fact]
    public async Task An_invalid_update_is_rejected_and_changes_nothing()
    {
        var ada = await CreateAtAsync(Start, NewUser("ada@example.com"));
        var before = await SnapshotAsync();

        await Assert.ThrowsAsync<ValidationException>(() => Users.UpdateAsync(ada with { Email = "broken", Balance = -5m }, ada.Version, "test", Ct));

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task An_item_over_400_kb_is_rejected_before_anything_is_written()
    {
        var writer = new Data.Writing.TransactionWriter(Table.Client, Clock);
        var huge = Data.Users.UserMapper.ToItem(Samples.User(Guid.NewGuid()), 1);
        huge[Attr.Bio] = Data.Items.Av.S(new string('x', 401 * 1024));

        var error = await Assert.ThrowsAsync<ValidationException>(() => writer.WriteAsync([Data.Writing.WriteAction.Put(Table.Name, huge, null, null)], Ct));

        Assert.Equal("item", Assert.Single(error.Errors).Field);
        Assert.Empty(Table.Requests.Operations);
        Assert.Empty(await Table.AllItemsAsync(Ct));
    }
}
