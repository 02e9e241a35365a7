namespace Serverless.Domain.Orders;

/// <summary>
/// The order lifecycle: pending → processing → shipped → delivered, and cancelled from pending or processing
/// (once shipped, the goods are on their way and a cancellation would be a return, which the seed does not model).
/// Delivered and cancelled are final.
/// </summary>
public static class OrderStatusTransitions
{
    private static readonly Dictionary<OrderStatus, OrderStatus[]> Next = new()
    {
        [OrderStatus.Pending] = [OrderStatus.Processing, OrderStatus.Cancelled],
        [OrderStatus.Processing] = [OrderStatus.Shipped, OrderStatus.Cancelled],
        [OrderStatus.Shipped] = [OrderStatus.Delivered],
        [OrderStatus.Delivered] = [],
        [OrderStatus.Cancelled] = [],
    };

    /// <summary>The statuses an order in <paramref name="from"/> may move to (empty for a final status).</summary>
    public static IReadOnlyList<OrderStatus> AllowedFrom(OrderStatus from) =>
        Next.TryGetValue(from, out var next) ? next : [];

    /// <summary>True for a step of the lifecycle; staying in the same status is not a step.</summary>
    public static bool IsAllowed(OrderStatus from, OrderStatus to) => AllowedFrom(from).Contains(to);

    public static bool IsFinal(OrderStatus status) => AllowedFrom(status).Count == 0;

    /// <summary>
    /// Throws a <see cref="ConflictException"/> on field <c>status</c> when the step is not allowed: the request
    /// itself is well-formed, it conflicts with the order's current state.
    /// </summary>
    public static void EnsureAllowed(OrderStatus from, OrderStatus to)
    {
        if (!EnumNames.OrderStatus.IsDefined(to))
        {
            throw new ValidationException([new FieldError("status", $"must be one of: {string.Join(", ", EnumNames.OrderStatus.Names)}.")]);
        }

        if (IsAllowed(from, to))
        {
            return;
        }

        var allowed = AllowedFrom(from);
        var hint = allowed.Count == 0
            ? $"'{from.ToName()}' is final."
            : $"from '{from.ToName()}' an order can go to: {string.Join(", ", allowed.Select(s => s.ToName()))}.";
        throw new ConflictException($"An order cannot go from '{from.ToName()}' to '{to.ToName()}'; {hint}", "status");
    }
}
