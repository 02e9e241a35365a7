using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Testing;

namespace Serverless.Data.Tests.Privacy;

/// <summary>
/// A ciphertext is bound to its owner and its field: moved to another user's item, or to another field of the same
/// user, it does not decrypt, and the error names the item, never a value.
/// </summary>
public sealed class FieldBindingTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    [Fact]
    public async Task A_ciphertext_copied_to_another_users_item_does_not_decrypt_and_the_error_names_only_the_item()
    {
        var ada = await _data.NewUserAsync("Ada Lovelace");
        var grace = await _data.NewUserAsync("Grace Hopper");
        var adaItem = await RawUserAsync(ada.Id);

        await CopyAsync(adaItem[Attr.Email], grace.Id, Attr.Email);

        var error = await Assert.ThrowsAsync<FieldDecryptionException>(() => _data.Users.GetAsync(grace.Id, Ct));
        Assert.Contains(grace.Id.ToString("D"), error.Message, StringComparison.Ordinal);
        Assert.Equal(Attr.Email, error.Field);
        foreach (var value in new[] { ada.Email, grace.Email, "Ada", "Grace" })
        {
            Assert.DoesNotContain(value, error.Message, StringComparison.OrdinalIgnoreCase);
        }

        // Ada is untouched.
        Assert.Equal(ada.Email, (await _data.Users.GetAsync(ada.Id, Ct))!.Email);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_field_of_the_same_user_or_altered_by_one_byte_does_not_decrypt()
    {
        var ada = await _data.NewUserAsync("Ada Lovelace");
        var item = await RawUserAsync(ada.Id);

        await CopyAsync(item[Attr.Email], ada.Id, Attr.Name);
        Assert.Equal(Attr.Name, (await Assert.ThrowsAsync<FieldDecryptionException>(() => _data.Users.GetAsync(ada.Id, Ct))).Field);

        await CopyAsync(item[Attr.Name], ada.Id, Attr.Name);
        // Any one byte: the header's (magic, format, version, owner), the nonce's, the ciphertext's or the tag's.
        var original = item[Attr.Email].B.ToArray();
        foreach (var position in new[] { 0, 1, 2, 4, 20, 32, original.Length - 1 })
        {
            var altered = (byte[])original.Clone();
            altered[position] ^= 0x01;
            await CopyAsync(new AttributeValue { B = new MemoryStream(altered) }, ada.Id, Attr.Email);
            Assert.Equal(Attr.Email, (await Assert.ThrowsAsync<FieldDecryptionException>(() => _data.Users.GetAsync(ada.Id, Ct))).Field);
        }
    }

    [Fact]
    public async Task The_stored_user_holds_no_pii_in_clear_in_any_attribute_or_key()
    {
        var user = await _data.NewUserAsync("Zyxwal Quorvane", "Quillmere");
        var product = await _data.NewProductAsync();
        await _data.PlaceOrderAsync(user, DataScope.Start, product);

        var text = string.Join("\n", (await _data.Table.EveryItemAsync(Ct)).Select(ItemText.Of));
        foreach (var value in new[] { user.Email, "zyxwal", "quorvan", "Quillmere", "1 Main St", "pbkdf2" })
        {
            Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
        }

        // And it all reads back.
        var read = await _data.Users.GetAsync(user.Id, Ct);
        Assert.Equal((user.Email, user.Name, "Quillmere"), (read!.Email, read.Name, read.Addresses[0].City));
        Assert.Equal(user.Id, (await _data.Users.GetByEmailAsync(user.Email.ToUpperInvariant(), Ct))?.Id);
        Assert.Equal(user.Id, Assert.Single((await _data.Users.ByCityAsync("  QUILLMERE ", new Serverless.Data.Paging.PageRequest(10, null), Ct)).Items).Id);
        Assert.Equal(user.Id, Assert.Single((await _data.Users.SearchByNameAsync("quorvane", new Serverless.Data.Paging.PageRequest(10, null), Ct)).Items).Id);
    }

    private async Task<Dictionary<string, AttributeValue>> RawUserAsync(Guid id) =>
        (await _data.Table.AllItemsAsync(Ct)).Single(i => i[Attr.PK].S == Keys.UserPartition(id) && i[Attr.SK].S == KeyPrefix.ProfileSort);

    private Task CopyAsync(AttributeValue value, Guid to, string attribute) =>
        _data.Table.Admin.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _data.Table.Name,
            Key = Keys.User(to).ToAttributes(),
            UpdateExpression = "SET #a = :v",
            ExpressionAttributeNames = new() { ["#a"] = attribute },
            ExpressionAttributeValues = new() { [":v"] = value },
        }, Ct);
}
