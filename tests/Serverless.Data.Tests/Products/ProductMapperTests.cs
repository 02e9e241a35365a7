using Serverless.Data.Products;
using Serverless.Data.Tests.Support;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Products;

/// <summary>
/// A product item survives write-read-write unchanged, and its stored shape is pinned under Approved/ (a
/// renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class ProductMapperTests
{
    [Fact]
    public void A_product_survives_write_read_write()
    {
        var product = ProductMapper.ToItem(Samples.Product());
        Assert.Equal(ItemJson.Render(product), ItemJson.Render(ProductMapper.ToItem(ProductMapper.FromItem(product))));
    }

    [Fact]
    public void Product_item_shape_is_pinned() =>
        Approvals.Verify("Product", ItemJson.Render(ProductMapper.ToItem(Samples.Product())));
}
