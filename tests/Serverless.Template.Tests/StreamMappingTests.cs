using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Data.Table;
using Serverless.Local.EventSourceMapping;
using Serverless.Streams.Audit;

namespace Serverless.Template.Tests;

/// <summary>
/// Each stream function's event source mapping, as the local emulator reads it from template.yaml (and Lambda would):
/// its filter lets through exactly the records the function handles, and failures are reported per record, bisected,
/// bounded and kept.
/// </summary>
public sealed class StreamMappingTests
{
    private static readonly IReadOnlyList<EventSourceMappingSettings> Mappings =
        SamTemplateLoader.Load(File.ReadAllText(RepoPaths.Of("template.yaml")));

    public static TheoryData<string> StreamFunctions => new("AuditFunction", "DenormalizeFunction", "PurgeFunction");

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
    private static string Record(string eventName, string? newType = null, string? oldType = null, bool ttl = false)
    {
        static JsonObject Image(string type) => new()
        {
            ["PK"] = new JsonObject { ["S"] = "X#1" },
            ["SK"] = new JsonObject { ["S"] = "X" },
            ["entityType"] = new JsonObject { ["S"] = type },
        };

        var dynamodb = new JsonObject
        {
            ["Keys"] = new JsonObject { ["PK"] = new JsonObject { ["S"] = "X#1" }, ["SK"] = new JsonObject { ["S"] = "X" } },
            ["StreamViewType"] = "NEW_AND_OLD_IMAGES",
        };
        if (newType is not null)
        {
            dynamodb["NewImage"] = Image(newType);
        }

        if (oldType is not null)
        {
            dynamodb["OldImage"] = Image(oldType);
        }

        var record = new JsonObject { ["eventID"] = "1", ["eventName"] = eventName, ["eventSource"] = "aws:dynamodb", ["dynamodb"] = dynamodb };
        if (ttl)
        {
            record["userIdentity"] = new JsonObject { ["type"] = "Service", ["principalId"] = "dynamodb.amazonaws.com" };
        }

        return record.ToJsonString();
    }
}
