using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Data.Table;
using Serverless.Data.Audit;
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

        services.TryAddSingleton<IAmazonDynamoDB>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<DynamoDbOptions>>().Value;
            if (settings.EffectiveServiceUrl is { Length: > 0 } url)
            {
                // DynamoDB Local accepts any credentials; real ones are never needed (or sent) there.
                return new AmazonDynamoDBClient(
                    new BasicAWSCredentials("local", "local"),
                    new AmazonDynamoDBConfig { ServiceURL = url, AuthenticationRegion = settings.Region });
            }

            return new AmazonDynamoDBClient();
        });

        // Repositories are stateless over the shared client: one each for the process.
        services.TryAddSingleton<UserRepository>();
        services.TryAddSingleton<OrderRepository>();
        services.TryAddSingleton<ProductRepository>();
        services.TryAddSingleton<RoleRepository>();
        services.TryAddSingleton<CommentRepository>();
        services.TryAddSingleton<AuditRepository>();
        return services;
    }
}
