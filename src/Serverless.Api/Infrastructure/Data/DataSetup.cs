using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Data;
using Serverless.Data.Table;
using Serverless.Data.Audit;
using Serverless.Data.Caching;
using Serverless.Data.Client;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Users;

namespace Serverless.Api.Infrastructure.Data;

internal static class DataSetup
{
    public const string TableSection = "Table";

    /// <summary>
    /// Cursor key for the Development environment only (the local stack, the tests), so `serve` works with no
    /// configuration. Public (it is in the repository), so it is refused anywhere else, as is a missing key.
    /// </summary>
    internal const string DevCursorSigningKey = "serverless-local-dev-cursor-key: not a secret, local use only";

    public static IServiceCollection AddApiData(this IServiceCollection services)
    {
        services.AddOptions<DynamoDbOptions>().BindConfiguration(DynamoDbOptions.Section);
        services.AddOptions<TableSettings>().BindConfiguration(TableSection).ValidateOnStart();
        services.AddSingleton<TableSettingsValidation>();
        services.AddSingleton<IPostConfigureOptions<TableSettings>>(sp => sp.GetRequiredService<TableSettingsValidation>());
        services.AddSingleton<IValidateOptions<TableSettings>>(sp => sp.GetRequiredService<TableSettingsValidation>());

        // The repositories take the options record itself, built from the settings checked at start.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TableSettings>>().Value.ToOptions());

        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<DynamoDbOptions>>().Value;
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Serverless.Data.DynamoDb");
            return DynamoDbClients.Create(
                settings.EffectiveServiceUrl, settings.Region, telemetry: new DynamoDbTelemetry(settings.SlowOperationThreshold, o => SlowOperationLog.Write(log, o)));
        });

        // The root key of the keyring: the stack's KMS key when one is named, the local key file only in Development
        // (checked at start). Resolved at first use, so a start makes no KMS client and no key file.
        services.AddOptions<PrivacySettings>().BindConfiguration(PrivacySettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivacySettings>, PrivacySettingsValidation>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PrivacySettings>>().Value.CreateKmsClient());
        services.TryAddSingleton(sp => RootKey(sp));

        // One table access (client, settings, clock and the machinery over them) shared by the repositories, which
        // are stateless over it: one each for the process.
        services.TryAddSingleton(sp => new TableAccess(
            sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<TableOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IRootKey>()));
        // The user cache (off unless Cache:Endpoint is set): one connection for the process, made in the background, so
        // a Redis that is down never fails a start or a request (docs/caching.md).
        services.AddOptions<CacheSettings>().BindConfiguration(CacheSettings.Section);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CacheSettings>>().Value.ToOptions();
            if (!options.IsEnabled)
            {
                return UserCache.Off;
            }

            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Serverless.Data.Cache");
            return new UserCache(RedisCacheStore.Connect(options), options, sp.GetRequiredService<TimeProvider>(), message => log.LogWarning("{Message}", message));
        });
        services.TryAddSingleton(sp =>
        {
            // A seal on read (Table:SealOnRead) that fails is only logged: its message names the user id, never PII.
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<UserRepository>();
            return new UserRepository(sp.GetRequiredService<TableAccess>())
            {
                OnSealOnReadFailed = message => log.LogWarning("{Message}", message),
                Cache = sp.GetRequiredService<UserCache>(),
            };
        });
        services.TryAddSingleton(sp => new OrderRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new ProductRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new RoleRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new CommentRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new AuditRepository(sp.GetRequiredService<TableAccess>()));
        services.TryAddSingleton(sp => new Health.TableReadiness(
            sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<TableOptions>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static IRootKey RootKey(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<PrivacySettings>>().Value;
        if (settings.UsesKms)
        {
            return new KmsRootKey(services.GetRequiredService<IAmazonKeyManagementService>(), settings.KmsKeyId!);
        }

        // The start validation refuses this outside Development; checked again here for a host that skips it.
        return services.GetRequiredService<IHostEnvironment>().IsDevelopment()
            ? FieldProtection.DefaultLocalRootKey()
            : throw new InvalidOperationException("Privacy:KmsKeyId (Privacy__KmsKeyId) is not set, and the local key file is used only in Development.");
    }
}
