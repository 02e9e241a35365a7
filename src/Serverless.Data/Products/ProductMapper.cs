using Serverless.Domain.Products;

namespace Serverless.Data.Products;

/// <summary>Product &lt;-&gt; PRODUCT#id / PRODUCT, listed by name in GSI1 under PRODUCTS.</summary>
public static class ProductMapper
{
    public static Dictionary<string, AttributeValue> ToItem(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        var item = CommonAttributes.NewItem(Keys.Product(product.Id), EntityTypes.Product, SchemaVersions.Initial);
        CommonAttributes.AddEntityState(item, product);
        item[Attr.Id] = Av.Guid(product.Id);
        item[Attr.Name] = Av.S(product.Name);
        item.AddIfNotNull(Attr.Description, product.Description);
        item[Attr.Price] = Av.N(product.Price);
        item[Attr.Gsi1PK] = Av.S(IndexKeys.AllProducts);
        item[Attr.Gsi1SK] = Av.S(IndexKeys.ProductSort(product.Name, product.Id));
        return item;
    }

    public static Product FromItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        _ = reader.ExpectEntity(EntityTypes.Product, SchemaVersions.Initial);
        return CommonAttributes.ReadEntityState(reader, new Product
        {
            Id = reader.Guid(Attr.Id),
            Name = reader.String(Attr.Name),
            Description = reader.OptionalString(Attr.Description),
            Price = reader.Decimal(Attr.Price),
        });
    }
}
