namespace Serverless.Domain.Products;

public sealed class ProductRules : Rules<Product, ProductRules>, IRuleSet<Product>
{
    public static void Check(Product product, FieldErrorCollector errors)
    {
        errors.NotEmpty("id", product.Id);
        errors.RequiredString("name", product.Name);
        errors.MaxLength("description", product.Description, kind: TextKind.MultiLine);
        errors.Money("price", product.Price);
    }
}
