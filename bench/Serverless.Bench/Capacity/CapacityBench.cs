using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Audit;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;
using Serverless.Local.Seed;

namespace Serverless.Bench.Capacity;

/// <summary>
/// What each access pattern and each write path consumes, measured with <c>ReturnConsumedCapacity = INDEXES</c> on
/// DynamoDB Local through the repositories the API and the stream functions use, checked against the item-size
/// arithmetic; then the model of <c>docs/capacity.md</c> (written by this section) from those figures, and a simulation
/// of the hottest partition that checks the shard count the model gives.
/// </summary>
public static class CapacityBench
{
    public const string Key = "capacity";
    public const string Title = "Capacity and cost";

    private const string Writer = "bench";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var repeats = context.Quick ? 8 : 40;
        var background = context.Quick ? 200 : 2_000;
        var table = await context.CreateTableAsync("capacity", ct);
        // The project's own client, which asks ReturnConsumedCapacity = INDEXES on every call as the functions' clients do.
        var client = Serverless.Data.Client.DynamoDbClients.Create(context.ServiceUrl.ToString());
        var recorder = new CapacityRecorder(client);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var access = new TableAccess(client, options, TimeProvider.System);
        var users = new UserRepository(access);
        var orders = new OrderRepository(access);
        var products = new ProductRepository(access);
        var roles = new RoleRepository(access);
        var comments = new CommentRepository(access);
        var audit = new AuditRepository(access);

        // The seed's realistic data around the measured items, so queries read partitions of the seed's shape.
        var sealer = new UserItemSealer(await access.Privacy.KeysAsync(ct));
        await RawWrites.BatchWriteAsync(
            context.Client, table, [.. new RealisticDataGenerator(11, options.CreatedDateShards, DateTimeOffset.UtcNow).Items(background, sealer)], 8, ct);

        var measured = new List<Operation>();
        async Task<T> Measure<T>(string name, string kind, Func<Task<T>> action)
        {
            T result = default!;
            var start = Stopwatch.GetTimestamp();
            var calls = await recorder.RecordAsync(async () => result = await action());
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var operation = measured.FirstOrDefault(o => o.Name == name) ?? new Operation(name, kind);
            if (!measured.Contains(operation))
            {
                measured.Add(operation);
            }

            operation.Add(calls, elapsed);
            return result;
        }

        // Write paths, each on its own entities.
        var product = await Measure("product create", "write", () => products.CreateAsync(
            new Product { Id = Guid.NewGuid(), Name = "Capacity Lamp", Description = "A lamp for the capacity model.", Price = 24.90m }, Writer, ct));
        var role = await roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = "capacity-" + Guid.NewGuid().ToString("N")[..8], Description = "Measured" }, Writer, ct);
        var now = DateTimeOffset.UtcNow;
        var created = new List<User>();
        for (var i = 0; i < repeats; i++)
        {
            created.Add(await Measure("user create", "write", () => users.CreateAsync(BenchUsers.Create(i, now) with { Phone = "+351912345678" }, Writer, ct)));
        }

        var current = new List<User>();
        for (var i = 0; i < repeats; i++)
        {
            var user = created[i];
            var renamed = await Measure("user update (name)", "write", () => users.UpdateAsync(user with { Name = user.Name + " Renamed" }, user.Version, Writer, ct));
            var moved = await Measure("user email change", "write", () => users.UpdateAsync(
                renamed with { Email = $"moved.{Guid.NewGuid():N}@example.com" }, renamed.Version, Writer, ct));
            current.Add(moved);
        }

        var placed = new List<Order>();
        for (var i = 0; i < repeats; i++)
        {
            var user = current[i];
            for (var o = 0; o < 3; o++)
            {
                var line = new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = 1 + o, UnitPrice = product.Price };
                placed.Add(await Measure("order create (1 line)", "write", () => orders.CreateAsync(new Order
                {
                    Id = Guid.NewGuid(),
                    UserId = user.Id,
                    UserEmail = user.Email,
                    UserName = user.Name,
                    UserVersion = user.Version,
                    Items = [line],
                    Total = line.LineTotal,
                }, Writer, ct)));
            }
        }

        for (var i = 0; i < repeats; i++)
        {
            var order = placed[i * 3];
            await Measure("order status update", "write", () => orders.UpdateStatusAsync(order.Id, OrderStatus.Processing, order.Version, Writer, ct));
            var user = current[i];
            await Measure("role assignment", "write", () => roles.AssignAsync(user.Id, role.Id, Writer, ct));
            await Measure("comment create", "write", () => comments.AddAsync(new Comment
            {
                Id = Guid.NewGuid(),
                TargetType = CommentTarget.Product,
                TargetId = product.Id,
                AuthorId = user.Id,
                Content = "Bright enough for reading, and the switch is quiet.",
            }, Writer, ct));
            // An audit entry as the audit function writes one for a user change: both images, as the stream gave them.
            var image = JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = user.Id.ToString(), ["name"] = new string('x', 40), ["email"] = new string('y', 180), ["addresses"] = new string('z', 400) });
            await Measure("audit entry (stream)", "write", () => audit.WriteAsync(new AuditEntry
            {
                EntityType = EntityTypes.User,
                RecordId = user.Id.ToString(),
                Action = AuditAction.Update,
                ChangedBy = Writer,
                ChangedAt = DateTimeOffset.UtcNow,
                OldValues = image,
                NewValues = image,
                EventId = Guid.NewGuid().ToString("N"),
                SequenceNumber = (100_000_000_000 + i).ToString(Invariant),
            }, ct));
        }

        // Reads, as the API's routes make them.
        for (var i = 0; i < repeats; i++)
        {
            var user = current[i];
            await Measure("get user by id", "read", () => users.GetAsync(user.Id, ct));
            await Measure("get user by email", "read", () => users.GetByEmailAsync(user.Email, ct));
            await Measure("orders of a user (page of 20)", "read", () => orders.ListByUserAsync(user.Id, new PageRequest(20), ct));
            await Measure("get order by id", "read", () => orders.GetAsync(placed[i * 3].Id, ct));
            await Measure("recent active users (50)", "read", () => users.RecentAsync(30, UserStatus.Active, new PageRequest(50), ct));
            await Measure("users by city (page of 20)", "read", () => users.ByCityAsync("Lisbon", new PageRequest(20), ct));
            await Measure("roles of a user", "read", () => roles.ListRolesOfUserAsync(user.Id, new PageRequest(20), ct));
            await Measure("comments of a product (page of 20)", "read", () => comments.ListByTargetAsync(CommentTarget.Product, product.Id, new PageRequest(20), ct));
        }

        for (var i = 0; i < repeats; i++)
        {
            var user = await users.GetAsync(current[i].Id, ct) ?? throw new InvalidOperationException("A measured user is gone.");
            var deleted = await Measure("user delete (soft)", "write", () => users.DeleteAsync(user.Id, user.Version, Writer, ct));
            await Measure("user restore", "write", () => users.RestoreAsync(user.Id, deleted.Version, Writer, ct));
        }

        // The sizes the hot-partition arithmetic needs: a user item and an order header as stored (each is also its
        // own GSI1 entry: the indexes project every attribute).
        var userBytes = await StoredBytesAsync(context, table, Keys.User(current[0].Id), ct);
        var orderBytes = await StoredBytesAsync(context, table, Keys.Order(placed[0].Id), ct);
        await context.DropTableAsync(table, ct);

        var model = CapacityModel.From(measured, userBytes, orderBytes);
        var simulation = HotPartitionSimulation.Run(model, context.Quick ? 3 : 10);
        var doc = CapacityDocument.Write(context, measured, model, simulation);
        File.WriteAllText(Path.Combine(context.Settings.RepoRoot, "docs", "capacity.md"), doc);

        return Result(context, measured, model, simulation, repeats);
    }

    private static async Task<int> StoredBytesAsync(BenchContext context, string table, ItemKey key, CancellationToken ct)
    {
        var item = (await context.Client.GetItemAsync(new Amazon.DynamoDBv2.Model.GetItemRequest { TableName = table, Key = key.ToAttributes(), ConsistentRead = true }, ct)).Item;
        return Serverless.Data.Items.ItemSize.Of(item ?? throw new InvalidOperationException("A measured item is gone."));
    }

    private static SectionResult Result(BenchContext context, List<Operation> measured, CapacityModel model, HotPartitionSimulation simulation, int repeats)
    {
        var computable = measured.SelectMany(o => o.Calls).Where(c => c.ExpectedTableUnits is not null).ToList();
        var matching = computable.Count(c => Math.Abs(c.TableUnits - c.ExpectedTableUnits!.Value) < 1e-9);
        var section = new SectionResult
        {
            Key = Key,
            Title = Title,
            Quick = context.Quick,
            Method =
                $"Each write path and access pattern through the repositories the API and the stream functions use, {repeats} times, on a table "
                + "holding the seed's realistic data around the measured items; every DynamoDB call's consumed capacity as DynamoDB Local "
                + "reports it with ReturnConsumedCapacity = INDEXES (table and each index apart), the items written or returned, and the table's "
                + "share by the item-size arithmetic where the call alone gives it (4 KB a read unit, half for eventually consistent reads; "
                + "1 KB a write unit, twice in a transaction). The model (docs/capacity.md, written by this section) scales the figures to "
                + "10x, 100x and 1,000x a stated baseline and finds the first hot partition; a simulation of one second of the busiest "
                + $"GSI1 partition at each multiple, {simulation.Seconds} seconds each, checks the shard count the model gives.",
        };
        section.Rows.Add(new Row
        {
            Measure = "calls whose table capacity matches the item-size arithmetic",
            Ours = $"{matching} of {computable.Count}",
            Baseline = "the arithmetic",
            Ratio = computable.Count == 0 ? null : (double)matching / computable.Count,
            Goal = Goal.Min(1.0, "all"),
        });
        foreach (var scale in model.Scales)
        {
            var sim = simulation.At(scale.Multiple);
            section.Rows.Add(new Row
            {
                Measure = $"{scale.Multiple:#,0}x: busiest users-by-status shard, simulated, with the model's {scale.StatusShards} shard(s)",
                Ours = $"{sim.BusiestShardUnits:#,0} WCU/s",
                Baseline = "1,000 WCU/s a partition",
                Ratio = sim.BusiestShardUnits / CapacityModel.PartitionWriteLimit,
                Goal = Goal.Max(1.0, "<= 1 (under the limit)"),
            });
        }

        foreach (var operation in measured)
        {
            section.Details.Add(
                $"{operation.Name}: {operation.Calls.Count / (double)operation.Runs:0.#} call(s), "
                + $"{operation.MeanRead:0.##} RCU, {operation.MeanWrite:0.##} WCU ({string.Join(", ", operation.MeanUnitsByTarget.Select(t => $"{t.Key} {t.Value:0.##}"))}), "
                + $"{operation.MeanItemsWritten:0.#} item(s) written, {operation.MeanItemsReturned:0.#} returned, p50 {Format.Ms(new Stats(operation.Times).Median)}");
        }

        var mismatched = measured
            .SelectMany(o => o.Calls.Where(c => c.ExpectedTableUnits is { } e && Math.Abs(c.TableUnits - e) >= 1e-9).Select(c => (o.Name, Call: c)))
            .GroupBy(m => (m.Name, m.Call.Operation))
            .Select(g => $"{g.Key.Name}, {g.Key.Operation} ({g.Count()} call(s); e.g. measured {g.First().Call.TableUnits:0.##}, arithmetic {g.First().Call.ExpectedTableUnits:0.##})")
            .ToList();
        if (mismatched.Count > 0)
        {
            section.Notes.Add("Calls whose table capacity differs from the arithmetic: " + string.Join("; ", mismatched) + ".");
        }

        return section;
    }

    /// <summary>One write path or access pattern: its calls over every run.</summary>
    public sealed class Operation(string name, string kind)
    {
        public string Name { get; } = name;

        public string Kind { get; } = kind;

        public int Runs { get; private set; }

        public List<CallCapacity> Calls { get; } = [];

        public List<double> Times { get; } = [];

        public void Add(List<CallCapacity> calls, double milliseconds)
        {
            Runs++;
            Calls.AddRange(calls);
            Times.Add(milliseconds);
        }

        public double MeanRead => Calls.Where(c => !c.IsWrite).Sum(c => c.TotalUnits) / Runs;

        public double MeanWrite => Calls.Where(c => c.IsWrite).Sum(c => c.TotalUnits) / Runs;

        public double MeanItemsWritten => Calls.Where(c => c.IsWrite).Sum(c => c.Items) / (double)Runs;

        public double MeanItemsReturned => Calls.Where(c => !c.IsWrite).Sum(c => c.Items) / (double)Runs;

        public double MeanMilliseconds => Times.Average();

        /// <summary>Mean units per run by where they went: the table and each index.</summary>
        public IReadOnlyDictionary<string, double> MeanUnitsByTarget
        {
            get
            {
                var byTarget = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["table"] = Calls.Sum(c => c.TableUnits) / Runs };
                foreach (var (index, units) in Calls.SelectMany(c => c.IndexUnits))
                {
                    byTarget[index] = byTarget.GetValueOrDefault(index) + (units / Runs);
                }

                return byTarget;
            }
        }

        public double MeanIndexWrite(string index) =>
            Calls.Where(c => c.IsWrite).Sum(c => c.IndexUnits.GetValueOrDefault(index)) / Runs;
    }
}
