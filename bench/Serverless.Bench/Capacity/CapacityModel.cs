namespace Serverless.Bench.Capacity;

/// <summary>
/// The capacity and cost model of docs/capacity.md: a stated baseline load and mix, the measured units of each
/// operation, the load at 10x, 100x and 1,000x, the partitions that meet DynamoDB's per-partition limits first and the
/// shard counts they need, and the on-demand cost per million requests and stream records.
/// </summary>
public sealed class CapacityModel
{
    /// <summary>DynamoDB's limits on one partition (a GSI's partitions included), per second.</summary>
    public const double PartitionWriteLimit = 1_000;
    public const double PartitionReadLimit = 3_000;

    /// <summary>The share of a partition's limit the shard counts plan for: headroom for an uneven second.</summary>
    public const double Headroom = 0.8;

    /// <summary>The template's largest CreatedDateShards (its MaxValue).</summary>
    public const int TemplateMaxShards = 100;

    // On-demand list prices, us-east-1 (DynamoDB since November 2024; Lambda x86_64, the template's default; HTTP API
    // first 300 million requests a month). Check the pricing pages before relying on a figure.
    public const double PricePerMillionReadUnits = 0.125;
    public const double PricePerMillionWriteUnits = 0.625;
    public const double LambdaPricePerGbSecond = 0.0000166667;
    public const double LambdaPricePerMillionRequests = 0.20;
    public const double HttpApiPricePerMillionRequests = 1.00;
    public const double FunctionMemoryGb = 0.5;
    public const int StreamBatchSize = 100;

    public const long BaselineUsers = 10_000_000;
    public const double BaselineWritesPerSecond = 1_000;
    public const double BaselineReadsPerSecond = 50_000;

    /// <summary>How the baseline's user-facing writes divide among the write paths, and the entity items each changes (each an audit entry).</summary>
    public static readonly IReadOnlyList<(string Operation, double Share, int EntityChanges)> WriteMix =
    [
        ("order create (1 line)", 0.40, 2),
        ("user update (name)", 0.25, 1),
        ("order status update", 0.15, 1),
        ("comment create", 0.08, 1),
        ("user create", 0.05, 1),
        ("user email change", 0.03, 1),
        ("role assignment", 0.02, 1),
        ("user delete (soft)", 0.02, 1),
    ];

    /// <summary>How the baseline's reads divide among the access patterns.</summary>
    public static readonly IReadOnlyList<(string Operation, double Share)> ReadMix =
    [
        ("get user by id", 0.45),
        ("orders of a user (page of 20)", 0.20),
        ("get user by email", 0.10),
        ("get order by id", 0.10),
        ("recent active users (50)", 0.05),
        ("roles of a user", 0.04),
        ("users by city (page of 20)", 0.03),
        ("comments of a product (page of 20)", 0.03),
    ];

    /// <summary>The write paths that rewrite the user's GSI1 status entry (STATUS#status#shard) and CreatedDateIndex entry.</summary>
    public static readonly IReadOnlyList<string> UserItemWrites = ["user update (name)", "user create", "user email change", "user delete (soft)"];

    /// <summary>The write paths a denormalization follows: a name or email change rewrites every order of the user.</summary>
    public static readonly IReadOnlyList<string> DenormalizedChanges = ["user update (name)", "user email change"];

    /// <summary>Orders a user has on average in the model (the seed's proportion is 2; a shop's customer has more).</summary>
    public const double OrdersPerUser = 10;

    /// <summary>The heavy user of the denormalization case.</summary>
    public const int HeavyUserOrders = 100_000;

    /// <summary>Months of sign-ups the CreatedDateIndex spreads user updates over (a user's entry stays in its sign-up month).</summary>
    public const int SignUpMonths = 24;

    public required IReadOnlyDictionary<string, CapacityBench.Operation> Operations { get; init; }

    public required int UserItemBytes { get; init; }

    public required int OrderItemBytes { get; init; }

    /// <summary>The load multiples the model is worked out at.</summary>
    private static readonly int[] Multiples = [1, 10, 100, 1_000];

    private IReadOnlyList<Scale>? _scales;

    public IReadOnlyList<Scale> Scales => _scales ??= [.. Multiples.Select(At)];

    /// <summary>Write units one user-item write puts on its GSI1 status partition (and on its CreatedDateIndex month).</summary>
    public double UserIndexEntryUnits => CapacityRecorder.WriteUnits(UserItemBytes);

    public double OrderIndexEntryUnits => CapacityRecorder.WriteUnits(OrderItemBytes);

    public double Units(string operation, bool write) =>
        write ? Operations[operation].MeanWrite : Operations[operation].MeanRead;

    public double Milliseconds(string operation) => Operations[operation].MeanMilliseconds;

    /// <summary>Write units of one denormalized order copy: as an order status update, which rewrites the same header item.</summary>
    public double DenormalizedOrderUnits => Units("order status update", write: true);

    public double AuditEntryUnits => Units("audit entry (stream)", write: true);

    public static CapacityModel From(List<CapacityBench.Operation> measured, int userItemBytes, int orderItemBytes)
    {
        ArgumentNullException.ThrowIfNull(measured);
        return new CapacityModel { Operations = measured.ToDictionary(o => o.Name), UserItemBytes = userItemBytes, OrderItemBytes = orderItemBytes };
    }

    private Scale At(int multiple)
    {
        var writes = BaselineWritesPerSecond * multiple;
        var reads = BaselineReadsPerSecond * multiple;
        var readUnits = ReadMix.Sum(r => reads * r.Share * Units(r.Operation, write: false));
        var directWriteUnits = WriteMix.Sum(w => writes * w.Share * Units(w.Operation, write: true));
        var auditEntries = WriteMix.Sum(w => writes * w.Share * w.EntityChanges);
        var denormalizedOrders = DenormalizedChanges.Sum(c => writes * Share(c)) * OrdersPerUser;
        var streamWriteUnits = (auditEntries * AuditEntryUnits) + (denormalizedOrders * DenormalizedOrderUnits);

        var userItemWrites = UserItemWrites.Sum(w => writes * Share(w));
        var statusUnits = userItemWrites * UserIndexEntryUnits;
        // This month's CreatedDateIndex partition: every sign-up, and the updates of the users who signed up this month.
        var monthUnits = ((writes * Share("user create")) + ((userItemWrites - (writes * Share("user create"))) / SignUpMonths)) * UserIndexEntryUnits;
        return new Scale
        {
            Multiple = multiple,
            Users = BaselineUsers * multiple,
            ReadsPerSecond = reads,
            WritesPerSecond = writes,
            ReadUnitsPerSecond = readUnits,
            WriteUnitsPerSecond = directWriteUnits + streamWriteUnits,
            StreamWriteUnitsPerSecond = streamWriteUnits,
            AuditEntriesPerSecond = auditEntries,
            DenormalizedOrdersPerSecond = denormalizedOrders,
            UserItemWritesPerSecond = userItemWrites,
            StatusPartitionUnits = statusUnits,
            StatusShards = ShardsFor(statusUnits),
            MonthPartitionUnits = monthUnits,
            MonthShards = ShardsFor(monthUnits),
        };
    }

    public static int ShardsFor(double unitsPerSecond) => Math.Max(1, (int)Math.Ceiling(unitsPerSecond / (PartitionWriteLimit * Headroom)));

    public static double Share(string operation) => WriteMix.First(w => w.Operation == operation).Share;

    /// <summary>Dollars per million API requests of one operation: DynamoDB units, the function's billed duration, the request fees.</summary>
    public double CostPerMillionRequests(string operation, bool write)
    {
        var units = Units(operation, write) * (write ? PricePerMillionWriteUnits : PricePerMillionReadUnits);
        var billedSeconds = Math.Ceiling(Milliseconds(operation)) / 1000;
        var lambda = (billedSeconds * FunctionMemoryGb * LambdaPricePerGbSecond * 1_000_000) + LambdaPricePerMillionRequests;
        return units + lambda + HttpApiPricePerMillionRequests;
    }

    /// <summary>Dollars per million audited stream records: the audit entry's units, a share of each batch's invocation and duration.</summary>
    public double CostPerMillionAuditRecords()
    {
        var units = AuditEntryUnits * PricePerMillionWriteUnits;
        var seconds = Milliseconds("audit entry (stream)") / 1000;
        var lambda = (seconds * FunctionMemoryGb * LambdaPricePerGbSecond * 1_000_000) + (LambdaPricePerMillionRequests / StreamBatchSize);
        return units + lambda;
    }

    public sealed class Scale
    {
        public required int Multiple { get; init; }

        public required long Users { get; init; }

        public required double ReadsPerSecond { get; init; }

        public required double WritesPerSecond { get; init; }

        public required double ReadUnitsPerSecond { get; init; }

        public required double WriteUnitsPerSecond { get; init; }

        public required double StreamWriteUnitsPerSecond { get; init; }

        public required double AuditEntriesPerSecond { get; init; }

        public required double DenormalizedOrdersPerSecond { get; init; }

        public required double UserItemWritesPerSecond { get; init; }

        /// <summary>Write units a second on the users-by-status GSI1 partition (STATUS#ACTIVE) before sharding.</summary>
        public required double StatusPartitionUnits { get; init; }

        public required int StatusShards { get; init; }

        /// <summary>Write units a second on this month's CreatedDateIndex partition before sharding.</summary>
        public required double MonthPartitionUnits { get; init; }

        public required int MonthShards { get; init; }

        public double DollarsPerHour =>
            ((ReadUnitsPerSecond * PricePerMillionReadUnits) + (WriteUnitsPerSecond * PricePerMillionWriteUnits)) * 3600 / 1_000_000;
    }
}
