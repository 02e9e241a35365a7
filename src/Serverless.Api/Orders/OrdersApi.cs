using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Users;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Api.Orders;

/// <summary>
/// Orders with their items. The status moves only pending → processing → shipped → delivered, or to cancelled before
/// shipping; any other step is 409 Conflict (the request is well-formed, it conflicts with the order's state). An end
/// user sees and places only its own orders, and may only cancel them; another user's order is 404 to it, as none is.
/// </summary>
public static class OrdersApi
{
    private const string Entity = "Order";

    public static RouteGroupBuilder MapOrders(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/orders").WithTags("Orders");

        group.MapGet("/", ListAsync).RequireAccess(Access.OwnOrders).WithPageProblems();
        group.MapGet("/{id}", GetAsync).RequireAccess(Access.OwnOrderRead).WithLookupProblems();
        group.MapPost("/", CreateAsync).RequireAccess(Access.PlaceOrder).WithBodyProblems().WithConflictProblem();
        group.MapPatch("/{id}", UpdateAsync).RequireAccess(Access.OwnOrderWrite).WithBodyProblems().WithConditionalWriteProblems();

        return group;
    }

    /// <summary>GET /users/{id}/orders, mapped with the users but served here.</summary>
    [EndpointName("ListOrdersOfUser")]
    [EndpointSummary("The user's orders, newest first, without their items.")]
    internal static async Task<Ok<PageResponse<OrderResponse>>> ListOfUserAsync(
        Guid id, [AsParameters] PageParameters page, OrderRepository orders, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await orders.ListByUserAsync(id, page.ToRequest(), cancellationToken), OrderResponse.From));

    [EndpointName("CreateOrder")]
    [EndpointSummary("Place an order: prices and total are computed from the products (201 with Location and ETag).")]
    private static async Task<Created<OrderResponse>> CreateAsync(
        CreateOrderRequest request, ProductRepository products, UserRepository users, Caller caller, [AsParameters] Write<OrderRepository> write)
    {
        // Decided before anything is read: an end user orders only in its own name.
        var userId = caller.UserFor(request.UserId, "userId");
        var cancellationToken = write.CancellationToken;
        var items = await PriceItemsAsync(request.Items, products, cancellationToken);

        // The user's email and name are copied onto the order at the version read; if the user changes in between,
        // the repository refuses (409) and one fresh read is worth a retry before giving up.
        for (var attempt = 1; ; attempt++)
        {
            var user = await users.GetAsync(userId, cancellationToken);
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
                var created = await write.Repository.CreateAsync(order, write.Writer, cancellationToken);
                return write.Created($"/orders/{created.Id:D}", created, OrderResponse.From);
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

    [EndpointName("ListOrders")]
    [EndpointSummary("A user's orders (?userId=; an end user's own when left out), newest first, without their items.")]
    private static async Task<Ok<PageResponse<OrderResponse>>> ListAsync(
        string? userId, [AsParameters] PageParameters page, OrderRepository orders, Caller caller, CancellationToken cancellationToken)
    {
        // Orders are listed per user (one Query); there is no listing of every order, which would be a Scan.
        Guid? named = null;
        if (userId is not null)
        {
            named = Guid.TryParse(userId, out var parsed) ? parsed : throw new ValidationException([new FieldError("userId", "is not a user id (UUID).")]);
        }

        return await ListOfUserAsync(caller.UserFor(named, "userId"), page, orders, cancellationToken);
    }

    [EndpointName("GetOrder")]
    [EndpointSummary("An order with its items, and its ETag.")]
    private static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetAsync(
        Guid id, OrderRepository orders, Caller caller, HttpResponse response, CancellationToken cancellationToken) =>
        Representations.OkOrNotFound(response, caller.Visible(await orders.GetAsync(id, cancellationToken), o => o.UserId), Entity, id, OrderResponse.From);

    [EndpointName("UpdateOrderStatus")]
    [EndpointSummary("Move the order to its next status (409 for a step the lifecycle does not allow). Needs If-Match.")]
    private static async Task<Ok<OrderResponse>> UpdateAsync(Guid id, UpdateOrderRequest request, Caller caller, [AsParameters] Write<OrderRepository> write)
    {
        if (request.Status != OrderStatus.Cancelled)
        {
            // Moving an order along is the shop's work; its customer may only call it off (while it has not shipped).
            caller.EnsureService("move an order to any status but cancelled");
        }

        var orders = write.Repository;
        var updated = await write.ApplyAsync(
            Entity,
            id,
            async ct => caller.Visible(await orders.GetAsync(id, ct), o => o.UserId),
            (_, version, ct) => orders.UpdateStatusAsync(id, request.Status, version, write.Writer, ct));
        return write.Ok(updated, OrderResponse.From);
    }
}
