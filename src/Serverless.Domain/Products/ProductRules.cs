namespace Serverless.Domain.Products;

public static class ProductRules
{
    public static IReadOnlyList<FieldError> Validate(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        var errors = new FieldErrorCollector();
        errors.NotEmpty("id", product.Id);
        errors.RequiredString("name", product.Name);
        errors.MaxLength("description", product.Description);
        errors.Money("price", product.Price);
        return errors.Errors;
    }

    public static void EnsureValid(Product product) => ValidationException.ThrowIfAny(Validate(product));
}
