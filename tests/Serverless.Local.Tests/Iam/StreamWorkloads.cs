using System.Reflection;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Client;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;
using Serverless.Lambda.Runtime;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Local.Ttl;
using Serverless.Streams;
using Serverless.Testing.Lambda;

namespace Serverless.Local.Tests.Iam;

/// <summary>
/// Each stream function doing its real work against DynamoDB Local, built as the Lambda executable builds it (settings
/// from the template's environment for the function, the client from <see cref="DynamoDbClients"/>), fed by the local
/// event-source-mapping emulator with the template's mapping settings, every AWS call recorded.
/// </summary>
internal static class StreamWorkloads
{
    /// <summary>
    /// Audit: every entity change becomes an entry through BatchWriteItem; one call answered with everything
    /// unprocessed (sent again), one call that fails whole (each entry then alone, PutItem), and a record on which
    /// the function keeps failing (retried, bisected, then sent to the on-failure destination).
    /// </summary>
    public static async Task<IReadOnlyList<AwsCall>> AuditAsync(DynamoDbLocalFixture dynamo, DeployedTemplate template, CancellationToken ct)
    {
        await using var table = await TestTable.CreateAsync(dynamo, ct);
        using var recorder = new CallRecorder(table.Name, template);
        var (client, faults) = BatchFaults.Wrap(await FunctionClientAsync("AuditFunction", dynamo, table, recorder, ct));
        var function = await CreateAsync("AuditFunction", client, dynamo, table, ct);
        const string Poison = "PRODUCT#0bad0bad-0bad-4bad-8bad-0bad0bad0bad";

        await using (var harness = await StartAsync("AuditFunction", function, dynamo, table, recorder, template, ct, failOn: Poison))
        {
            var products = new ProductRepository(new TableAccess(table.Admin, table.Options(), TimeProvider.System));
            var writes = Enumerable.Range(0, 40).Select(i => products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = $"Tea {i}", Price = 1m + i }, "user:root", ct));
            await Task.WhenAll(writes);
            await table.Admin.PutItemAsync(
                new PutItemRequest
                {
                    TableName = table.Name,
                    Item = new() { [Attr.PK] = new() { S = Poison }, [Attr.SK] = new() { S = KeyPrefix.ProductSort }, [Attr.EntityType] = new() { S = EntityTypes.Product } },
                },
                ct);

            await Eventually.WaitUntilAsync(
                async () => (await table.AllItemsAsync(ct)).Count(i => i[Attr.EntityType].S == EntityTypes.AuditEntry) >= 40
                    && recorder.Calls.Any(c => c.Origin == FunctionRole.LambdaOnFailure),
                "every product audited and the poison batch sent to the on-failure destination",
                ct,
                TimeSpan.FromMinutes(2));
        }

        Assert.True(faults.Unprocessed && faults.FailedWhole, "the workload must meet both an unprocessed answer and a call that fails whole");
        Assert.Contains(recorder.Calls, c => c.Action == "dynamodb:PutItem");
        return recorder.Calls;
    }

    /// <summary>Denormalize: a user's name and email change reaches the user's orders (GSI1 Query, a guarded PartiQL UPDATE each in one BatchExecuteStatement).</summary>
    public static async Task<IReadOnlyList<AwsCall>> DenormalizeAsync(DynamoDbLocalFixture dynamo, DeployedTemplate template, CancellationToken ct)
    {
        await using var table = await TestTable.CreateAsync(dynamo, ct);
        using var recorder = new CallRecorder(table.Name, template);
        var function = await CreateAsync("DenormalizeFunction", await FunctionClientAsync("DenormalizeFunction", dynamo, table, recorder, ct), dynamo, table, ct);
        var access = new TableAccess(table.Admin, table.Options(), TimeProvider.System);
        var users = new UserRepository(access);
        var orders = new OrderRepository(access);
        var user = await users.CreateAsync(NewUser(), "user:ada", ct);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:root", ct);
        var placed = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            placed.Add((await orders.CreateAsync(OrderOf(user, product), "user:ada", ct)).Id);
        }

        await using (var harness = await StartAsync("DenormalizeFunction", function, dynamo, table, recorder, template, ct))
        {
            await users.UpdateAsync(user with { Name = "Ada King", Email = $"ada.king.{Guid.NewGuid():N}@example.com" }, user.Version, "user:ada", ct);
            await Eventually.WaitUntilAsync(
                async () => (await Task.WhenAll(placed.Select(id => orders.GetAsync(id, ct)))).All(o => o!.UserName == "Ada King"),
                "the rename reached every order",
                ct,
                TimeSpan.FromMinutes(2));
        }

        // The copies went as PartiQL, each statement on an order partition; not one UpdateItem.
        Assert.Contains(recorder.Calls, c => c.Action == "dynamodb:PartiQLUpdate" && c.LeadingKeys.Count == 1 && c.LeadingKeys[0].StartsWith("ORDER#", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Calls, c => c.Action == "dynamodb:UpdateItem");
        return recorder.Calls;
    }

    /// <summary>
    /// Purge: a soft-deleted user whose retention ended is removed by TTL (the local sweeper), and the cascade finds and
    /// deletes its orders, lines, role links, index items, comments on it and its email marker; one delete batch is
    /// answered unprocessed and one fails whole (each delete then alone).
    /// </summary>
    public static async Task<IReadOnlyList<AwsCall>> PurgeAsync(DynamoDbLocalFixture dynamo, DeployedTemplate template, CancellationToken ct)
    {
        await using var table = await TestTable.CreateAsync(dynamo, ct);
        using var recorder = new CallRecorder(table.Name, template);
        // The cascade's deletes meet the same two answers as the audit's puts: sent again, and sent alone (DeleteItem).
        var (client, faults) = BatchFaults.Wrap(await FunctionClientAsync("PurgeFunction", dynamo, table, recorder, ct));
        var function = await CreateAsync("PurgeFunction", client, dynamo, table, ct);
        var access = new TableAccess(table.Admin, table.Options(), TimeProvider.System);
        var users = new UserRepository(access);
        var user = await users.CreateAsync(NewUser(), "user:ada", ct);
        var roles = new RoleRepository(access);
        var role = await roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = "auditor" }, "user:root", ct);
        await roles.AssignAsync(user.Id, role.Id, "user:root", ct);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:root", ct);
        await new OrderRepository(access).CreateAsync(OrderOf(user, product), "user:ada", ct);
        await new CommentRepository(access).AddAsync(new Comment { Id = Guid.NewGuid(), TargetType = CommentTarget.User, TargetId = user.Id, Content = "Welcome!" }, "user:bob", ct);
        await users.DeleteAsync(user.Id, user.Version, "user:ada", ct);

        var ttlDeletions = new TtlDeletionLog();
        await using (var harness = await StartAsync("PurgeFunction", function, dynamo, table, recorder, template, ct, ttlDeletions: ttlDeletions))
        {
            var sweeper = new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [table.Name] }, ttlDeletions, new ShiftedClock(TimeSpan.FromDays(31)));
            Assert.Equal(2, await sweeper.SweepOnceAsync(ct));
            var id = user.Id.ToString("D");
            await Eventually.WaitUntilAsync(
                async () => !(await table.AllItemsAsync(ct)).Any(i => i[Attr.EntityType].S != EntityTypes.AuditEntry
                    && (i[Attr.PK].S.Contains(id, StringComparison.Ordinal) || i.GetValueOrDefault(Attr.UserId)?.S == id)),
                "the user's data is purged",
                ct,
                TimeSpan.FromMinutes(2));
        }

        Assert.True(faults.Unprocessed && faults.FailedWhole, "the workload must meet both an unprocessed answer and a call that fails whole");
        return recorder.Calls;
    }

    /// <summary>
    /// CacheInvalidation (a stack with the cache): a user changed and one removed behind the API's back (a migration's
    /// UpdateItem, a DeleteItem) leave a real redis-server once the function has seen them. Its code talks to the cache
    /// only: the calls recorded are Lambda's, and any table call of the code would be among them.
    /// </summary>
    public static async Task<IReadOnlyList<AwsCall>> CacheInvalidationAsync(DynamoDbLocalFixture dynamo, RedisServerFixture redis, DeployedTemplate template, CancellationToken ct)
    {
        const string FunctionId = "CacheInvalidationFunction";
        await using var table = await TestTable.CreateAsync(dynamo, ct);
        using var recorder = new CallRecorder(table.Name, template);
        var options = new CacheOptions { Endpoint = redis.Endpoint, KeyPrefix = RedisServerFixture.UniquePrefix("iam"), OperationTimeout = RedisServerFixture.TestOperationTimeout };
        // What the deployed stack fills in: the cache's endpoint (the template's !GetAtt of the serverless cache).
        var deployed = new Dictionary<string, string>(StringComparer.Ordinal) { [CacheOptions.EndpointVariable] = options.Endpoint, [CacheOptions.KeyPrefixVariable] = options.KeyPrefix };
        var function = await TemplateStreamFunctions.CreateAsync(FunctionId, dynamo, table, ct, await FunctionClientAsync(FunctionId, dynamo, table, recorder, ct), deployed);
        try
        {
            using var cache = new UserCache(RedisCacheStore.Connect(options), options, TimeProvider.System);
            var users = new UserRepository(new TableAccess(table.Admin, table.Options(), TimeProvider.System)) { Cache = cache };
            var changed = await users.CreateAsync(NewUser(), "user:ada", ct);
            var removed = await users.CreateAsync(NewUser(), "user:ada", ct);
            Assert.NotNull(await users.GetAsync(changed.Id, ct));
            Assert.NotNull(await users.GetAsync(removed.Id, ct));
            Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(cache.UserKey(changed.Id)), "the user is cached before the change");

            await using (var harness = await StartAsync(FunctionId, function, dynamo, table, recorder, template, ct, templateParameters: LeastPrivilegeTests.CacheOn))
            {
                var bumped = await table.Admin.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = table.Name,
                        Key = Keys.User(changed.Id).ToAttributes(),
                        UpdateExpression = "SET #v = #v + :one",
                        ExpressionAttributeNames = new() { ["#v"] = Attr.Version },
                        ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" } },
                        ReturnValues = ReturnValue.UPDATED_NEW,
                    },
                    ct);
                var version = long.Parse(bumped.Attributes[Attr.Version].N, System.Globalization.CultureInfo.InvariantCulture);
                await table.Admin.DeleteItemAsync(new DeleteItemRequest { TableName = table.Name, Key = Keys.User(removed.Id).ToAttributes() }, ct);

                await Eventually.WaitUntilAsync(
                    async () => (await users.GetAsync(changed.Id, ct))?.Version == version && await users.GetAsync(removed.Id, ct) is null,
                    "the cache no longer answers with the user as it was, nor with the removed one",
                    ct,
                    TimeSpan.FromMinutes(2));
            }
        }
        finally
        {
            await ((IAsyncDisposable)function).DisposeAsync();
        }

        return recorder.Calls;
    }

    /// <summary>The client the function's factory would build from its environment, recorded.</summary>
    private static async Task<IAmazonDynamoDB> FunctionClientAsync(string functionId, DynamoDbLocalFixture dynamo, TestTable table, CallRecorder recorder, CancellationToken ct)
    {
        var settings = await TemplateStreamFunctions.SettingsAsync(functionId, dynamo, table, ct);
        return recorder.Attach(DynamoDbClients.Create(settings.ServiceUrl, settings.Region));
    }

    private static Task<ILambdaFunction> CreateAsync(string functionId, IAmazonDynamoDB client, DynamoDbLocalFixture dynamo, TestTable table, CancellationToken ct) =>
        TemplateStreamFunctions.CreateAsync(functionId, dynamo, table, ct, client);

    /// <summary>
    /// The function behind the template's mapping for it, read by the emulator with its stream requests recorded; what
    /// the mapping gives up on goes to a destination that records Lambda's sqs:SendMessage to the template's queue.
    /// </summary>
    private static async Task<EmulatorHarness> StartAsync(
        string functionId,
        ILambdaFunction function,
        DynamoDbLocalFixture dynamo,
        TestTable table,
        CallRecorder recorder,
        DeployedTemplate template,
        CancellationToken ct,
        string? failOn = null,
        TtlDeletionLog? ttlDeletions = null,
        IReadOnlyDictionary<string, string>? templateParameters = null)
    {
        var settings = (await SamTemplateLoader.LoadFileAsync(RepoPaths.Of("template.yaml"), templateParameters, ct)).Single(s => s.FunctionName == functionId);
        var destination = FunctionRole.Of(template, functionId).LambdaCalls.Single(c => c.Origin == FunctionRole.LambdaOnFailure);
        return await EmulatorHarness.StartAsync(
            dynamo,
            new StreamFunctionMapping(settings, table.Name, Invoke, new RecordingDestination(recorder, destination)),
            ct,
            ttlDeletions,
            streamsHandler: recorder);

        async Task<ReadOnlyMemory<byte>> Invoke(ReadOnlyMemory<byte> payload, CancellationToken token)
        {
            // A function error on every batch that holds the poison record, as an unhandled exception would be.
            if (failOn is not null && Encoding.UTF8.GetString(payload.Span).Contains(failOn, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("poison record");
            }

            return await function.InvokeAsync(payload, TestEnvironment.Context(), token);
        }
    }

    private static User NewUser() => new()
    {
        Id = Guid.NewGuid(),
        Email = $"ada.{Guid.NewGuid():N}@example.com",
        Name = "Ada Lovelace",
        PasswordHash = "pbkdf2$secret-hash-value",
        Addresses = [new Address { Type = AddressType.Home, Street = "12 St James's Square", City = "London", Country = "GB", IsDefault = true }],
        Balance = 12.50m,
    };

    private static Order OrderOf(User user, Product product) => TemplateStreamFunctions.OrderOf(user, product, quantity: 2);

    private sealed class RecordingDestination(CallRecorder recorder, AwsCall sendMessage) : IOnFailureDestination
    {
        public Task SendAsync(OnFailureRecord record, CancellationToken ct)
        {
            recorder.Add(sendMessage);
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// A client that forwards everything to the function's own, except two BatchWriteItem answers DynamoDB Local never
/// gives: once, everything unprocessed (the writes were made; the writer must send them again), and once, for a call
/// of several writes, a failure of the whole call (the writer then sends each write alone).
/// </summary>
public class BatchFaults : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;
    private int _unprocessed;
    private int _failedWhole;

    public bool Unprocessed => Volatile.Read(ref _unprocessed) == 1;

    public bool FailedWhole => Volatile.Read(ref _failedWhole) == 1;

    public static (IAmazonDynamoDB Client, BatchFaults Faults) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, BatchFaults>();
        var faults = (BatchFaults)(object)client;
        faults._inner = inner;
        return (client, faults);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IAmazonDynamoDB.BatchWriteItemAsync) && args is [BatchWriteItemRequest request, CancellationToken ct])
        {
            return BatchWriteAsync(request, ct);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task<BatchWriteItemResponse> BatchWriteAsync(BatchWriteItemRequest request, CancellationToken ct)
    {
        var (table, writes) = request.RequestItems.Single();
        if (writes.Count >= 2 && Volatile.Read(ref _unprocessed) == 1 && Interlocked.Exchange(ref _failedWhole, 1) == 0)
        {
            throw new InternalServerErrorException("injected: the whole call failed");
        }

        var response = await _inner.BatchWriteItemAsync(request, ct);
        if (Interlocked.Exchange(ref _unprocessed, 1) == 0)
        {
            return new BatchWriteItemResponse { UnprocessedItems = new() { [table] = writes } };
        }

        return response;
    }
}
