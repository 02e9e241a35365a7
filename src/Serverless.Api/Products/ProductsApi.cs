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

        var reads = group.MapGroup("").RequireAuthorization(Scopes.Read);
        reads.MapGet("/", ListAsync)
            .WithName("ListProducts")
            .WithSummary("All products by name.")
            .WithPageProblems();

        reads.MapGet("/{id}", GetAsync)
            .WithName("GetProduct")
            .WithSummary("A product, with its ETag.")
            .WithNotFoundProblem()
            .ProducesValidationProblem();

        reads.MapGet("/{id}/orders", OrdersAsync)
            .WithName("ListOrdersWithProduct")
            .WithSummary("Orders containing the product, newest first, each with the product's line.")
            .WithPageProblems();

        var writes = group.MapGroup("").RequireAuthorization(Scopes.Write);
        writes.MapPost("/", CreateAsync)
            .WithName("CreateProduct")
            .WithSummary("Create a product (201 with Location and ETag).")
            .WithBodyProblems();

        writes.MapPatch("/{id}", UpdateAsync)
            .WithName("UpdateProduct")
            .WithSummary("Change the members sent (JSON merge patch). Needs If-Match.")
            .WithBodyProblems()
            .WithConditionalWriteProblems()
            .WithConflictProblem();

        writes.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteProduct")
            .WithSummary("Delete a product (orders keep their copy of its name and price). Needs If-Match.")
            .WithConditionalWriteProblems()
            .WithConflictProblem()
            .ProducesValidationProblem();

        return group;
    }

    private static async Task<Created<ProductResponse>> CreateAsync(CreateProductRequest request, [AsParameters] Write<ProductRepository> write)
    {
        var product = new Product { Id = Guid.NewGuid(), Name = request.Name, Description = request.Description, Price = request.Price };
        var created = await write.Repository.CreateAsync(product, write.Writer, write.CancellationToken);
        return write.Created($"/products/{created.Id:D}", created, ProductResponse.From);
    }

    private static async Task<Ok<PageResponse<ProductResponse>>> ListAsync(
        [AsParameters] PageParameters page, ProductRepository products, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await products.ListAsync(page.ToRequest(), cancellationToken), ProductResponse.From));

    private static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ProductRepository products, HttpResponse response, CancellationToken cancellationToken) =>
        Representations.OkOrNotFound(response, await products.GetAsync(id, cancellationToken), Entity, id, ProductResponse.From);

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

    private static async Task<Ok<PageResponse<ProductOrderResponse>>> OrdersAsync(
        Guid id, [AsParameters] PageParameters page, OrderRepository orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await orders.ListByProductAsync(id, page.ToRequest(), cancellationToken), ProductOrderResponse.From));
}
