using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Domain;
using Serverless.Domain.Products;
using Serverless.Testing;

namespace Serverless.Data.Tests.Products;

public sealed class ProductRepositoryTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    [Fact]
    public async Task A_created_product_reads_back_at_version_1_with_one_GetItem()
    {
        var created = await _data.Products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Lathe", Description = "Turns wood.", Price = 1200.00m }, "user:shop", Ct);
        _data.Table.Requests.Clear();

        var read = await _data.Products.GetAsync(created.Id, Ct);

        Assert.Equal(["GetItem"], _data.Requests);
        Assert.Equal(created, read);
        Assert.Equal((1L, "user:shop", DataScope.Start), (read!.Version, read.LastWriter, read.CreatedAt));
    }

    [Fact]
    public async Task Creating_a_product_with_a_taken_id_conflicts_and_keeps_the_first()
    {
        var first = await _data.NewProductAsync("First");

        await Assert.ThrowsAsync<ConflictException>(() => _data.Products.CreateAsync(first with { Name = "Second" }, "t", Ct));

        Assert.Equal("First", (await _data.Products.GetAsync(first.Id, Ct))!.Name);
    }

    [Fact]
    public async Task An_invalid_product_is_rejected_and_nothing_is_written()
    {
        var invalid = await Assert.ThrowsAsync<ValidationException>(() =>
            _data.Products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = "", Price = -1.005m }, "t", Ct));

        Assert.Equal(["name", "price", "price"], invalid.Errors.Select(e => e.Field));
        Assert.Empty(await _data.AllItemsAsync());
    }

    [Fact]
    public async Task An_update_at_the_current_version_replaces_the_fields_and_keeps_the_creation_time()
    {
        var product = await _data.NewProductAsync("Widget", 1m);
        _data.Clock.Advance(TimeSpan.FromHours(1));

        var updated = await _data.Products.UpdateAsync(product with { Name = "Widget II", Price = 2m }, 1, "user:pm", Ct);

        Assert.Equal(updated, await _data.Products.GetAsync(product.Id, Ct));
        Assert.Equal((2L, DataScope.Start, DataScope.Start.AddHours(1), "user:pm"), (updated.Version, updated.CreatedAt, updated.UpdatedAt, updated.LastWriter));
    }

    [Fact]
    public async Task An_update_or_delete_with_a_stale_version_fails_and_changes_nothing()
    {
        var product = await _data.NewProductAsync("Widget", 1m);
        var current = await _data.Products.UpdateAsync(product with { Price = 2m }, 1, "user:a", Ct);

        await Assert.ThrowsAsync<ConcurrencyException>(() => _data.Products.UpdateAsync(product with { Price = 3m }, 1, "user:b", Ct));
        await Assert.ThrowsAsync<ConcurrencyException>(() => _data.Products.DeleteAsync(product.Id, 1, "user:b", Ct));

        Assert.Equal(current, await _data.Products.GetAsync(product.Id, Ct));
    }

    [Fact]
    public async Task An_invalid_update_is_rejected_and_the_product_is_unchanged()
    {
        var product = await _data.NewProductAsync("Widget", 1m);

        await Assert.ThrowsAsync<ValidationException>(() => _data.Products.UpdateAsync(product with { Name = new string('n', 256) }, 1, "t", Ct));

        Assert.Equal(product, await _data.Products.GetAsync(product.Id, Ct));
    }

    [Fact]
    public async Task Updating_or_deleting_a_missing_product_is_not_found()
    {
        var ghost = new Product { Id = Guid.NewGuid(), Name = "Ghost", Price = 1m };
        await Assert.ThrowsAsync<NotFoundException>(() => _data.Products.UpdateAsync(ghost, 1, "t", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => _data.Products.DeleteAsync(ghost.Id, 1, "t", Ct));
        Assert.Empty(await _data.AllItemsAsync());
    }

    [Fact]
    public async Task A_delete_at_the_current_version_removes_the_product_item()
    {
        var product = await _data.NewProductAsync();
        var keep = await _data.NewProductAsync("Keep");

        await _data.Products.DeleteAsync(product.Id, 1, "user:pm", Ct);

        Assert.Null(await _data.Products.GetAsync(product.Id, Ct));
        var left = Assert.Single(await _data.AllItemsAsync());
        Assert.Equal(Keys.Product(keep.Id).PK, left[Attr.PK].S);
    }

    [Fact]
    public async Task Products_list_by_name_and_the_pages_walk_each_exactly_once_without_a_scan()
    {
        string[] names = ["pliers", "Anvil", "hammer", "Chisel", "saw", "Bench", "level"];
        foreach (var name in names)
        {
            await _data.NewProductAsync(name);
        }

        _data.Table.Requests.Clear();
        var pages = await DataScope.AllPagesAsync(p => _data.Products.ListAsync(p, Ct), limit: 3);

        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase), pages.SelectMany(p => p).Select(p => p.Name));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task A_page_limit_out_of_range_is_rejected()
    {
        var invalid = await Assert.ThrowsAsync<ValidationException>(() => _data.Products.ListAsync(new PageRequest(0), Ct));
        Assert.Equal("limit", Assert.Single(invalid.Errors).Field);
    }
}
