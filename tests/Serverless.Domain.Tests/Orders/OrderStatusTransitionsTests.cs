using Serverless.Domain;
using Serverless.Domain.Orders;

namespace Serverless.Domain.Tests.Orders;

public sealed class OrderStatusTransitionsTests
{
    private static readonly HashSet<(OrderStatus From, OrderStatus To)> AllowedSteps =
    [
        (OrderStatus.Pending, OrderStatus.Processing),
        (OrderStatus.Pending, OrderStatus.Cancelled),
        (OrderStatus.Processing, OrderStatus.Shipped),
        (OrderStatus.Processing, OrderStatus.Cancelled),
        (OrderStatus.Shipped, OrderStatus.Delivered),
    ];

    [Fact]
    public void Exactly_the_lifecycles_steps_are_allowed_and_no_others()
    {
        foreach (var from in Enum.GetValues<OrderStatus>())
        {
            foreach (var to in Enum.GetValues<OrderStatus>())
            {
                Assert.Equal(AllowedSteps.Contains((from, to)), OrderStatusTransitions.IsAllowed(from, to));
            }
        }
    }

    [Theory]
    [InlineData(OrderStatus.Delivered)]
    [InlineData(OrderStatus.Cancelled)]
    public void Delivered_and_cancelled_are_final(OrderStatus status)
    {
        Assert.True(OrderStatusTransitions.IsFinal(status));
        var refused = Assert.Throws<ConflictException>(() => OrderStatusTransitions.EnsureAllowed(status, OrderStatus.Pending));
        Assert.Contains("final", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_step_names_the_steps_that_are_allowed()
    {
        var refused = Assert.Throws<ConflictException>(() => OrderStatusTransitions.EnsureAllowed(OrderStatus.Shipped, OrderStatus.Cancelled));
        Assert.Equal("status", refused.Field);
        Assert.Contains("delivered", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_target_status_is_a_validation_error() =>
        Assert.Equal("status", Assert.Single(Assert.Throws<ValidationException>(() => OrderStatusTransitions.EnsureAllowed(OrderStatus.Pending, (OrderStatus)42)).Errors).Field);
}
