using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Domain.Products;

namespace Serverless.Api.Products;

public static class ProductsApi
{
    private const string Entity = "Product";

    public static RouteGroupBuilder MapProducts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/products").WithTags("Products");

        // The catalogue holds nothing personal, and a customer needs it to order: end-user tokens read it.
        var reads = group.MapGroup("").RequireAccess(Access.PublicRead);
        reads.MapGet("/", ListAsync).WithPageProblems();
        reads.MapGet("/{id}", GetAsync).WithLookupProblems();

        // Each order carries its user's email and name.
        group.MapGet("/{id}/orders", OrdersAsync).RequireAccess(Access.ServiceRead).WithPageProblems();

        var writes = group.MapGroup("").RequireAccess(Access.ServiceWrite);
        writes.MapPost("/", CreateAsync).WithBodyProblems();
        writes.MapPatch("/{id}", UpdateAsync).WithBodyProblems().WithConditionalWriteProblems();
        writes.MapDelete("/{id}", DeleteAsync).WithConditionalWriteProblems();

        return group;
    }

    [EndpointName("CreateProduct")]
    [EndpointSummary("Create a product (201 with Location and ETag).")]
    private static async Task<Created<ProductResponse>> CreateAsync(CreateProductRequest request, [AsParameters] Write<ProductRepository> write)
    {
        var product = new Product { Id = Guid.NewGuid(), Name = request.Name, Description = request.Description, Price = request.Price };
        var created = await write.Repository.CreateAsync(product, write.Writer, write.CancellationToken);
        return write.Created($"/products/{created.Id:D}", created, ProductResponse.From);
    }

    [EndpointName("ListProducts")]
    [EndpointSummary("All products by name.")]
    private static async Task<Ok<PageResponse<ProductResponse>>> ListAsync(
        [AsParameters] PageParameters page, ProductRepository products, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await products.ListAsync(page.ToRequest(), cancellationToken), ProductResponse.From));

    [EndpointName("GetProduct")]
    [EndpointSummary("A product, with its ETag.")]
    private static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ProductRepository products, HttpResponse response, CancellationToken cancellationToken) =>
        Representations.OkOrNotFound(response, await products.GetAsync(id, cancellationToken), Entity, id, ProductResponse.From);

    [EndpointName("UpdateProduct")]
    [EndpointSummary("Change the members sent (JSON merge patch). Needs If-Match.")]
    private static async Task<Ok<ProductResponse>> UpdateAsync(Guid id, UpdateProductRequest request, [AsParameters] Write<ProductRepository> write)
    {
        var products = write.Repository;
        var updated = await write.ApplyAsync(Entity, id, ct => products.GetAsync(id, ct), (current, version, ct) =>
        {
            var errors = new FieldErrorCollector();
            if (request.Has(nameof(request.Name)) && request.Name is null)
            {
                errors.Add("name", "must not be null; leave it out to keep the current value.");
            }

            if (request.Has(nameof(request.Price)) && request.Price is null)
            {
                errors.Add("price", "must not be null; leave it out to keep the current value.");
            }

            errors.ThrowIfAny();
            var changed = current with
            {
                Name = request.Name ?? current.Name,
                Description = request.Has(nameof(request.Description)) ? request.Description : current.Description,
                Price = request.Price ?? current.Price,
            };
            return products.UpdateAsync(changed, version, write.Writer, ct);
        });
        return write.Ok(updated, ProductResponse.From);
    }

    [EndpointName("DeleteProduct")]
    [EndpointSummary("Delete a product (orders keep their copy of its name and price). Needs If-Match.")]
    private static async Task<NoContent> DeleteAsync(Guid id, [AsParameters] Write<ProductRepository> write)
    {
        var products = write.Repository;
        await write.ApplyAsync(Entity, id, ct => products.GetAsync(id, ct), async (_, version, ct) =>
        {
            await products.DeleteAsync(id, version, write.Writer, ct);
            return true;
        });
        return TypedResults.NoContent();
    }

    [EndpointName("ListOrdersWithProduct")]
    [EndpointSummary("Orders containing the product, newest first, each with the product's line.")]
    private static async Task<Ok<PageResponse<ProductOrderResponse>>> OrdersAsync(
        Guid id, [AsParameters] PageParameters page, OrderRepository orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await orders.ListByProductAsync(id, page.ToRequest(), cancellationToken), ProductOrderResponse.From));
}
