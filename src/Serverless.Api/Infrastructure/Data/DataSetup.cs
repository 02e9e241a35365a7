using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Data;
using Serverless.Data.Table;
using Serverless.Data.Audit;
using Serverless.Data.Client;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Users;

namespace Serverless.Api.Infrastructure.Data;

internal static class DataSetup
{
    public const string TableSection = "Table";

    /// <summary>
    /// Cursor key for the local stack only, so `serve` works with no configuration; on Lambda the key must be
    /// configured (Table__CursorSigningKey) and start-up fails without it.
    /// </summary>
    internal const string DevCursorSigningKey = "serverless-local-dev-cursor-key: not a secret, local use only";

    public static IServiceCollection AddApiData(this IServiceCollection services)
    {
        services.AddOptions<DynamoDbOptions>().BindConfiguration(DynamoDbOptions.Section);
        services.AddOptions<TableSettings>().BindConfiguration(TableSection);

        // The repositories take the options record itself; it is checked once here, at the first resolve.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TableSettings>>().Value.ToOptions();
            if (string.IsNullOrEmpty(options.CursorSigningKey) && !sp.GetRequiredService<IOptions<AuthOptions>>().Value.UsesHostPrincipal)
            {
                options = options with { CursorSigningKey = DevCursorSigningKey };
            }

            options.Validate();
            return options;
        });

        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<DynamoDbOptions>>().Value;
            return DynamoDbClients.Create(settings.EffectiveServiceUrl, settings.Region);
        });

        // One table access (client, settings, clock and the machinery over them) shared by the repositories, which
        // are stateless over it: one each for the process.
        services.TryAddSingleton(sp => new TableAccess(
            sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<TableOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new UserRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new OrderRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new ProductRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new RoleRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new CommentRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new AuditRepository(sp.GetRequiredService<TableAccess>()));
        return services;
    }
}
