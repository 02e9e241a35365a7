using Amazon.DynamoDBv2;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.Lambda.Runtime;
using Serverless.Local.Invoke;
using Serverless.Streams;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Local.Tests.Support;

/// <summary>A stream function of template.yaml built as the Lambda executable builds it: its template environment, pointed at a test table.</summary>
internal static class TemplateStreamFunctions
{
    /// <param name="deployed">What the deployed stack would fill in (the cache's endpoint): set over the template's variables.</param>
    public static async Task<StreamFunctionSettings> SettingsAsync(
        string functionId, DynamoDbLocalFixture dynamo, TestTable table, CancellationToken ct, IReadOnlyDictionary<string, string>? deployed = null)
    {
        var definition = await SamFunction.LoadAsync(RepoPaths.Of("template.yaml"), functionId, ct);
        var variables = InvokeCommand.FunctionEnvironment(definition, dynamo.ServiceUrl, table.Name, _ => null).ToDictionary(v => v.Key, v => (string?)v.Value, StringComparer.Ordinal);
        foreach (var (key, value) in deployed ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        return StreamFunctionSettings.FromEnvironment(new TestEnvironment(variables));
    }

    /// <summary>The function, over <paramref name="client"/> (a recorded or faulty one), or the client its settings make.</summary>
    public static async Task<ILambdaFunction> CreateAsync(
        string functionId, DynamoDbLocalFixture dynamo, TestTable table, CancellationToken ct, IAmazonDynamoDB? client = null, IReadOnlyDictionary<string, string>? deployed = null)
    {
        var definition = await SamFunction.LoadAsync(RepoPaths.Of("template.yaml"), functionId, ct);
        var settings = await SettingsAsync(functionId, dynamo, table, ct, deployed);
        return StreamFunctions.Create(definition.Handler, client ?? Data.Client.DynamoDbClients.Create(settings.ServiceUrl, settings.Region), settings, NullLoggerFactory.Instance, TimeProvider.System);
    }

    /// <summary>An order of one line of <paramref name="product"/>, carrying the user's copy as the API writes it.</summary>
    public static Order OrderOf(User user, Product product, int quantity = 1)
    {
        var line = new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = quantity, UnitPrice = product.Price };
        return new Order
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            UserEmail = user.Email,
            UserName = user.Name,
            UserVersion = user.Version,
            Items = [line],
            Total = line.LineTotal,
        };
    }
}
