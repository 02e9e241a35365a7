using System.Security.Claims;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Products;
using Serverless.Data.Users;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Api.Orders;

/// <summary>
/// Orders with their items. The status moves only pending → processing → shipped → delivered, or to cancelled before
/// shipping; any other step is 409 Conflict (the request is well-formed, it conflicts with the order's state).
/// </summary>
public static class OrdersApi
{
    private const string Entity = "Order";

    public static RouteGroupBuilder MapOrders(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/orders").WithTags("Orders");

        group.MapPost("/", CreateAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("CreateOrder")
            .WithSummary("Place an order: prices and total are computed from the products (201 with Location and ETag).")
            .WithBodyProblems()
            .WithConflictProblem();

        group.MapGet("/", ListAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListOrders")
            .WithSummary("A user's orders (?userId=), newest first, without their items.")
            .WithPageProblems();

        group.MapGet("/{id}", GetAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("GetOrder")
            .WithSummary("An order with its items, and its ETag.")
            .WithNotFoundProblem()
            .ProducesValidationProblem();

        group.MapPatch("/{id}", UpdateAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("UpdateOrderStatus")
            .WithSummary("Move the order to its next status (409 for a step the lifecycle does not allow). Needs If-Match.")
            .WithBodyProblems()
            .WithConditionalWriteProblems()
            .WithConflictProblem();

        return group;
    }

    /// <summary>GET /users/{id}/orders, mapped with the users but served here.</summary>
    internal static async Task<Ok<PageResponse<OrderResponse>>> ListOfUserAsync(
        Guid id, string? cursor, string? limit, OrderRepository orders, CancellationToken cancellationToken)
    {
        var page = await orders.ListByUserAsync(id, PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(page, OrderResponse.From));
    }

    private static async Task<Created<OrderResponse>> CreateAsync(
        CreateOrderRequest request,
        OrderRepository orders,
        ProductRepository products,
        UserRepository users,
        ClaimsPrincipal caller,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var items = await PriceItemsAsync(request.Items, products, cancellationToken);

        // The user's email and name are copied onto the order at the version read; if the user changes in between,
        // the repository refuses (409) and one fresh read is worth a retry before giving up.
        for (var attempt = 1; ; attempt++)
        {
            var user = await users.GetAsync(request.UserId, cancellationToken);
            if (user is null || user.Status == UserStatus.Deleted)
            {
                throw new ValidationException([new FieldError("userId", "does not name an existing user.")]);
            }

            var order = new Order
            {
                Id = Guid.NewGuid(),
                UserId = user.Id,
                UserEmail = user.Email,
                UserName = user.Name,
                UserVersion = user.Version,
                Items = items,
                Total = OrderRules.TotalOf(items),
            };
            try
            {
                var created = await orders.CreateAsync(order, caller.GetWriter(), cancellationToken);
                response.SetETag(created.Version);
                return TypedResults.Created($"/orders/{created.Id:D}", OrderResponse.From(created));
            }
            catch (ConflictException e) when (e.Field == "userVersion" && attempt < 2)
            {
                // The user changed under us: read it again.
            }
        }
    }

    /// <summary>Each line gets the product's current name and price; a missing product is the field that is wrong.</summary>
    private static async Task<List<OrderItem>> PriceItemsAsync(List<OrderLineRequest> lines, ProductRepository products, CancellationToken cancellationToken)
    {
        var errors = new FieldErrorCollector();
        if (lines.Count == 0)
        {
            errors.Add("items", "must contain at least one item.");
        }
        else if (lines.Count > Limits.MaxOrderItems)
        {
            errors.Add("items", $"must have at most {Limits.MaxOrderItems} entries.");
        }

        errors.ThrowIfAny();
        var found = await Task.WhenAll(lines.Select(l => l is null ? Task.FromResult<Domain.Products.Product?>(null) : products.GetAsync(l.ProductId, cancellationToken)));
        var items = new List<OrderItem>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is null)
            {
                errors.Add($"items[{i}]", "must not be null.");
            }
            else if (found[i] is not { } product)
            {
                errors.Add($"items[{i}].productId", "does not name an existing product.");
            }
            else
            {
                items.Add(new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = lines[i].Quantity, UnitPrice = product.Price });
            }
        }

        errors.ThrowIfAny();
        return items;
    }

    private static async Task<Ok<PageResponse<OrderResponse>>> ListAsync(
        string? userId, string? cursor, string? limit, OrderRepository orders, CancellationToken cancellationToken)
    {
        // Orders are listed per user (one Query); there is no listing of every order, which would be a Scan.
        if (!Guid.TryParse(userId, out var id))
        {
            throw new ValidationException([new FieldError("userId", "is required: a user id (UUID).")]);
        }

        return await ListOfUserAsync(id, cursor, limit, orders, cancellationToken);
    }

    private static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetAsync(
        Guid id, OrderRepository orders, HttpResponse response, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(id, cancellationToken);
        if (order is null)
        {
            return EndpointConventions.NotFound(Entity, id.ToString("D"));
        }

        response.SetETag(order.Version);
        return TypedResults.Ok(OrderResponse.From(order));
    }

    private static async Task<Ok<OrderResponse>> UpdateAsync(
        Guid id,
        UpdateOrderRequest request,
        OrderRepository orders,
        ClaimsPrincipal caller,
        HttpRequest httpRequest,
        HttpResponse response,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var updated = await ConditionalWrites.ApplyAsync(httpRequest, options.Value, Entity, id, ct => orders.GetAsync(id, ct),
            (_, version, ct) => orders.UpdateStatusAsync(id, request.Status, version, caller.GetWriter(), ct), cancellationToken);
        response.SetETag(updated.Version);
        return TypedResults.Ok(OrderResponse.From(updated));
    }
}
