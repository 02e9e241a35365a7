using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Seed;
using Serverless.Streams.Audit;

namespace Serverless.Template.Tests;

/// <summary>
/// Each stream function's event source mapping, as the local emulator reads it from template.yaml (and Lambda would):
/// its filter lets through exactly the records the function handles, and failures are reported per record, bisected,
/// bounded and kept.
/// </summary>
public sealed class StreamMappingTests
{
    // With the cache on, so the cache's invalidation function is among them.
    private static readonly IReadOnlyList<EventSourceMappingSettings> Mappings =
        SamTemplateLoader.Load(File.ReadAllText(RepoPaths.Of("template.yaml")), CacheTemplateTests.CacheOn);

    public static TheoryData<string> StreamFunctions => new("AuditFunction", "DenormalizeFunction", "PurgeFunction", "CacheInvalidationFunction");

    [Fact]
    public void The_cache_invalidation_mapping_exists_only_with_the_cache()
    {
        Assert.DoesNotContain(SamTemplateLoader.Load(File.ReadAllText(RepoPaths.Of("template.yaml"))), m => m.FunctionName == "CacheInvalidationFunction");
        Assert.Equal("CacheInvalidation", Assert.Single(Mappings, m => m.FunctionName == "CacheInvalidationFunction").Handler);
    }

    [Fact]
    public void The_cache_invalidation_filter_passes_every_change_of_a_user_whoever_made_it_and_nothing_else()
    {
        var filters = Assert.Single(Mappings, m => m.FunctionName == "CacheInvalidationFunction").Filters;
        foreach (var writer in new[] { "user:alice", SeedDefaults.Writer, null })
        {
            Assert.True(Passes(filters, Record("INSERT", newType: EntityTypes.User, newWriter: writer)), writer);
            Assert.True(Passes(filters, Record("MODIFY", newType: EntityTypes.User, oldType: EntityTypes.User, newWriter: writer, oldWriter: "user:bob")), writer);
            Assert.True(Passes(filters, Record("REMOVE", oldType: EntityTypes.User, oldWriter: writer)), writer);
        }

        // TTL's removal of a soft-deleted user, which no API call sees.
        Assert.True(Passes(filters, Record("REMOVE", oldType: EntityTypes.User, ttl: true)));

        // An order, and the email marker that a user's email change rewrites beside the user item.
        foreach (var other in new[] { EntityTypes.Order, EntityTypes.EmailMarker })
        {
            Assert.False(Passes(filters, Record("INSERT", newType: other)), other);
            Assert.False(Passes(filters, Record("MODIFY", newType: other, oldType: other)), other);
            Assert.False(Passes(filters, Record("REMOVE", oldType: other)), other);
        }

        foreach (var other in EntityTypes.All.Where(t => t != EntityTypes.User))
        {
            Assert.False(Passes(filters, Record("MODIFY", newType: other, oldType: other, newWriter: SeedDefaults.Writer)), other);
            Assert.False(Passes(filters, Record("REMOVE", oldType: other, ttl: true)), other);
        }

        // The images decide, not the key: a user image in a REMOVE's NewImage (there is none on AWS) does not pass.
        Assert.False(Passes(filters, Record("REMOVE", newType: EntityTypes.User)));
    }

    [Theory]
    [MemberData(nameof(StreamFunctions))]
    public void Each_stream_function_reads_the_tables_stream_from_its_start_and_gives_up_on_a_batch_safely(string function)
    {
        var mapping = Assert.Single(Mappings, m => m.FunctionName == function);
        Assert.Equal("Table", mapping.TableLogicalId);
        Assert.Equal(StartingPosition.TrimHorizon, mapping.StartingPosition);
        Assert.True(mapping.ReportBatchItemFailures, "the functions return batchItemFailures; without ReportBatchItemFailures Lambda ignores them");
        Assert.True(mapping.BisectBatchOnFunctionError);
        Assert.InRange(mapping.MaximumRetryAttempts, 0, 10);
        // Below the stream's 24-hour retention, so a batch sent to the queue can still be replayed from the stream.
        Assert.InRange(mapping.MaximumRecordAgeInSeconds, 60, 86_399);
        Assert.Equal("StreamFailureQueue", mapping.OnFailureDestination);
        Assert.NotEmpty(mapping.Filters);
    }

    [Fact]
    public void The_audit_filter_passes_changes_of_exactly_the_audited_entity_types()
    {
        var filters = Assert.Single(Mappings, m => m.FunctionName == "AuditFunction").Filters;
        foreach (var type in EntityTypes.All.Append("SomethingNew"))
        {
            var audited = AuditFunction.AuditedTypes.Contains(type);
            Assert.Equal(audited, Passes(filters, Record("INSERT", newType: type)));
            Assert.Equal(audited, Passes(filters, Record("MODIFY", newType: type, oldType: type)));
            Assert.Equal(audited, Passes(filters, Record("REMOVE", oldType: type)));
            Assert.Equal(audited, Passes(filters, Record("REMOVE", oldType: type, ttl: true)));
        }

        // Audit entries never come back to the function that writes them.
        Assert.DoesNotContain(EntityTypes.AuditEntry, AuditFunction.AuditedTypes);
    }

    [Fact]
    public void The_denormalize_filter_passes_only_modifications_of_users()
    {
        var filters = Assert.Single(Mappings, m => m.FunctionName == "DenormalizeFunction").Filters;
        Assert.True(Passes(filters, Record("MODIFY", newType: EntityTypes.User, oldType: EntityTypes.User)));
        Assert.False(Passes(filters, Record("INSERT", newType: EntityTypes.User)));
        Assert.False(Passes(filters, Record("REMOVE", oldType: EntityTypes.User)));
        foreach (var other in EntityTypes.All.Where(t => t != EntityTypes.User))
        {
            Assert.False(Passes(filters, Record("MODIFY", newType: other, oldType: other)), other);
        }
    }

    [Theory]
    [InlineData("AuditFunction")]
    [InlineData("DenormalizeFunction")]
    public void Writes_of_the_seeder_never_reach_the_audit_or_denormalization_function(string function)
    {
        var filters = Assert.Single(Mappings, m => m.FunctionName == function).Filters;
        foreach (var type in AuditFunction.AuditedTypes)
        {
            Assert.False(Passes(filters, Record("INSERT", newType: type, newWriter: SeedDefaults.Writer)), type);
            Assert.False(Passes(filters, Record("MODIFY", newType: type, oldType: type, newWriter: SeedDefaults.Writer, oldWriter: "user:alice")), type);
        }

        // Someone else's change of a seeded item is a change like any other.
        Assert.True(Passes(filters, Record("MODIFY", newType: EntityTypes.User, oldType: EntityTypes.User, newWriter: "user:alice", oldWriter: SeedDefaults.Writer)));
        // An item written outside the data layer has no lastWriter: it is not the seeder's, so it still passes.
        Assert.True(Passes(filters, Record("MODIFY", newType: EntityTypes.User, oldType: EntityTypes.User)));
        // Only the exact writer id is excluded, not every writer that merely starts with it.
        Assert.True(Passes(filters, Record("MODIFY", newType: EntityTypes.User, oldType: EntityTypes.User, newWriter: SeedDefaults.Writer + "er")));
    }

    [Fact]
    public void Removals_of_seeded_items_are_still_audited()
    {
        // The seeder only puts: a REMOVE of a seeded item was made by a caller, a purge or TTL, and is audited.
        var filters = Assert.Single(Mappings, m => m.FunctionName == "AuditFunction").Filters;
        Assert.True(Passes(filters, Record("REMOVE", oldType: EntityTypes.Order, oldWriter: SeedDefaults.Writer)));
        Assert.True(Passes(filters, Record("REMOVE", oldType: EntityTypes.User, oldWriter: SeedDefaults.Writer, ttl: true)));
    }

    [Fact]
    public void No_item_the_seed_writes_passes_a_stream_function_as_an_insert_or_a_rewrite_but_its_users_reach_the_cache_invalidation()
    {
        // The real items of a scenario (every entity and index type), as INSERTs and as the MODIFYs a second seed makes.
        var sealer = Sealing.Ephemeral();
        var items = DataSeeder.Items(new SeedRequest(SeedScenario.Small), sealer).Concat(DataSeeder.Items(new SeedRequest(SeedScenario.Edge), sealer)).ToList();
        // Every type but the users' keys (key material, which no mapping lets through) is an audited one.
        Assert.Superset(AuditFunction.AuditedTypes.ToHashSet(), items.Select(i => i[Attr.EntityType].S).Where(t => t != EntityTypes.UserKey).ToHashSet());

        // The seeder bypasses the API, so the cache would keep what it replaced: its users' items are invalidated.
        var invalidation = Assert.Single(Mappings, m => m.FunctionName == "CacheInvalidationFunction").Filters;
        Assert.Contains(items, i => i[Attr.EntityType].S == EntityTypes.User);
        foreach (var item in items)
        {
            var user = item[Attr.EntityType].S == EntityTypes.User;
            Assert.Equal(user, Passes(invalidation, Record("INSERT", newImage: Image(item), oldImage: null)));
            Assert.Equal(user, Passes(invalidation, Record("MODIFY", newImage: Image(item), oldImage: Image(item))));
        }

        foreach (var mapping in Mappings.Where(m => m.FunctionName is not ("PurgeFunction" or "CacheInvalidationFunction")))
        {
            foreach (var item in items)
            {
                Assert.False(Passes(mapping.Filters, Record("INSERT", newImage: Image(item), oldImage: null)), $"{mapping.FunctionName}: {item[Attr.EntityType].S}");
                Assert.False(Passes(mapping.Filters, Record("MODIFY", newImage: Image(item), oldImage: Image(item))), $"{mapping.FunctionName}: {item[Attr.EntityType].S}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(StreamFunctions))]
    public void No_stream_function_receives_an_idempotency_record_written_completed_or_expired(string function)
    {
        // The API's records of idempotent requests are no entity: no audit entry, no denormalization, no purge, no cache.
        var filters = Assert.Single(Mappings, m => m.FunctionName == function).Filters;
        var type = EntityTypes.IdempotencyRecord;
        Assert.False(Passes(filters, Record("INSERT", newType: type)));
        Assert.False(Passes(filters, Record("MODIFY", newType: type, oldType: type)));
        Assert.False(Passes(filters, Record("REMOVE", oldType: type)));
        Assert.False(Passes(filters, Record("REMOVE", oldType: type, ttl: true)));
    }

    [Fact]
    public void The_purge_filter_passes_only_ttl_removals_of_users()
    {
        var filters = Assert.Single(Mappings, m => m.FunctionName == "PurgeFunction").Filters;
        Assert.True(Passes(filters, Record("REMOVE", oldType: EntityTypes.User, ttl: true)));
        // A caller's delete is not the end of a retention.
        Assert.False(Passes(filters, Record("REMOVE", oldType: EntityTypes.User)));
        Assert.False(Passes(filters, Record("MODIFY", newType: EntityTypes.User, oldType: EntityTypes.User)));
        foreach (var other in EntityTypes.All.Where(t => t != EntityTypes.User))
        {
            Assert.False(Passes(filters, Record("REMOVE", oldType: other, ttl: true)), other);
        }
    }

    private static bool Passes(IReadOnlyList<FilterPattern> filters, string recordJson)
    {
        using var record = JsonDocument.Parse(recordJson);
        return FilterPattern.AnyMatches(filters, record.RootElement);
    }

    /// <summary>A stream record in Lambda's shape, reduced to what the filters look at.</summary>
    private static string Record(string eventName, string? newType = null, string? oldType = null, bool ttl = false, string? newWriter = null, string? oldWriter = null) =>
        Record(eventName, newType is null ? null : Image(newType, newWriter), oldType is null ? null : Image(oldType, oldWriter), ttl);

    private static JsonObject Image(string type, string? writer)
    {
        var image = new JsonObject
        {
            ["PK"] = new JsonObject { ["S"] = "X#1" },
            ["SK"] = new JsonObject { ["S"] = "X" },
            ["entityType"] = new JsonObject { ["S"] = type },
        };
        if (writer is not null)
        {
            image[Attr.LastWriter] = new JsonObject { ["S"] = writer };
        }

        return image;
    }

    private static string Record(string eventName, JsonObject? newImage, JsonObject? oldImage, bool ttl = false)
    {
        var dynamodb = new JsonObject
        {
            ["Keys"] = new JsonObject { ["PK"] = new JsonObject { ["S"] = "X#1" }, ["SK"] = new JsonObject { ["S"] = "X" } },
            ["StreamViewType"] = "NEW_AND_OLD_IMAGES",
        };
        if (newImage is not null)
        {
            dynamodb["NewImage"] = newImage;
        }

        if (oldImage is not null)
        {
            dynamodb["OldImage"] = oldImage;
        }

        var record = new JsonObject { ["eventID"] = "1", ["eventName"] = eventName, ["eventSource"] = "aws:dynamodb", ["dynamodb"] = dynamodb };
        if (ttl)
        {
            record["userIdentity"] = new JsonObject { ["type"] = "Service", ["principalId"] = "dynamodb.amazonaws.com" };
        }

        return record.ToJsonString();
    }

    /// <summary>An item as a stream image carries it (DynamoDB JSON); the seed uses only S, N, B (ciphertext, keys), BOOL, M, L and NULL.</summary>
    private static JsonObject Image(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var image = new JsonObject();
        foreach (var (name, value) in item)
        {
            image[name] = Value(value);
        }

        return image;
    }

    private static JsonObject Value(AttributeValue value) =>
        value.S is not null ? new JsonObject { ["S"] = value.S }
        : value.N is not null ? new JsonObject { ["N"] = value.N }
        : value.BOOL is { } flag ? new JsonObject { ["BOOL"] = flag }
        : value.B is not null ? new JsonObject { ["B"] = Convert.ToBase64String(value.B.ToArray()) }
        : value.M is not null ? new JsonObject { ["M"] = Image(value.M) }
        : value.L is not null ? new JsonObject { ["L"] = new JsonArray([.. value.L.Select(v => (JsonNode)Value(v))]) }
        : value.NULL == true ? new JsonObject { ["NULL"] = true }
        : throw new NotSupportedException("The seeded data uses only S, N, BOOL, M, L and NULL.");
}
