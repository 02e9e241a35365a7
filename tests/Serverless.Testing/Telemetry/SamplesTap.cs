using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Testing.Domain;

// Compiled only into Serverless.Testing (Serverless.Domain.Tests compiles Domain/ alone, without the tap).
public static partial class Samples
{
    static partial void Registered(User user) => Telemetry.TelemetryTap.Process.Secrets.User(user);

    static partial void Registered(Order order) => Telemetry.TelemetryTap.Process.Secrets.Order(order);
}
