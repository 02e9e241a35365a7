using System.Security.Claims;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Products;
using Serverless.Domain.Products;

namespace Serverless.Api.Products;

public static class ProductsApi
{
    private const string Entity = "Product";

    public static RouteGroupBuilder MapProducts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/products").WithTags("Products");

        group.MapPost("/", CreateAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("CreateProduct")
            .WithSummary("Create a product (201 with Location and ETag).")
            .WithBodyProblems();

        group.MapGet("/", ListAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListProducts")
            .WithSummary("All products by name.")
            .WithPageProblems();

        group.MapGet("/{id}", GetAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("GetProduct")
            .WithSummary("A product, with its ETag.")
            .WithNotFoundProblem()
            .ProducesValidationProblem();

        group.MapPatch("/{id}", UpdateAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("UpdateProduct")
            .WithSummary("Change the members sent (JSON merge patch). Needs If-Match.")
            .WithBodyProblems()
            .WithConditionalWriteProblems()
            .WithConflictProblem();

        group.MapDelete("/{id}", DeleteAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("DeleteProduct")
            .WithSummary("Delete a product (orders keep their copy of its name and price). Needs If-Match.")
            .WithConditionalWriteProblems()
            .WithConflictProblem()
            .ProducesValidationProblem();

        group.MapGet("/{id}/orders", OrdersAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListOrdersWithProduct")
            .WithSummary("Orders containing the product, newest first, each with the product's line.")
            .WithPageProblems();

        return group;
    }

    private static async Task<Created<ProductResponse>> CreateAsync(
        CreateProductRequest request, ProductRepository products, ClaimsPrincipal caller, HttpResponse response, CancellationToken cancellationToken)
    {
        var product = new Product { Id = Guid.NewGuid(), Name = request.Name, Description = request.Description, Price = request.Price };
        var created = await products.CreateAsync(product, caller.GetWriter(), cancellationToken);
        response.SetETag(created.Version);
        return TypedResults.Created($"/products/{created.Id:D}", ProductResponse.From(created));
    }

    private static async Task<Ok<PageResponse<ProductResponse>>> ListAsync(
        string? cursor, string? limit, ProductRepository products, CancellationToken cancellationToken)
    {
        var page = await products.ListAsync(PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(page, ProductResponse.From));
    }

    private static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ProductRepository products, HttpResponse response, CancellationToken cancellationToken)
    {
        var product = await products.GetAsync(id, cancellationToken);
        if (product is null)
        {
            return EndpointConventions.NotFound(Entity, id.ToString("D"));
        }

        response.SetETag(product.Version);
        return TypedResults.Ok(ProductResponse.From(product));
    }

    private static async Task<Ok<ProductResponse>> UpdateAsync(
        Guid id,
        UpdateProductRequest request,
        ProductRepository products,
        ClaimsPrincipal caller,
        HttpRequest httpRequest,
        HttpResponse response,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var updated = await ConditionalWrites.ApplyAsync(httpRequest, options.Value, Entity, id, ct => products.GetAsync(id, ct), (current, version, ct) =>
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
            return products.UpdateAsync(changed, version, caller.GetWriter(), ct);
        }, cancellationToken);
        response.SetETag(updated.Version);
        return TypedResults.Ok(ProductResponse.From(updated));
    }

    private static async Task<NoContent> DeleteAsync(
        Guid id, ProductRepository products, ClaimsPrincipal caller, HttpRequest request, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        await ConditionalWrites.ApplyAsync(request, options.Value, Entity, id, ct => products.GetAsync(id, ct), async (_, version, ct) =>
        {
            await products.DeleteAsync(id, version, caller.GetWriter(), ct);
            return true;
        }, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageResponse<ProductOrderResponse>>> OrdersAsync(
        Guid id, string? cursor, string? limit, OrderRepository orders, CancellationToken cancellationToken)
    {
        var page = await orders.ListByProductAsync(id, PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(page, ProductOrderResponse.From));
    }
}
