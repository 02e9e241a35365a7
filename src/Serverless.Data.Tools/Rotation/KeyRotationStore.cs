using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;

namespace Serverless.Data.Tools.Rotation;

/// <summary>The rotation's checkpoint, in the partition of the table's migrations (MIGRATION#rotate-keys / RUN).</summary>
public sealed class KeyRotationStore(IAmazonDynamoDB client, string tableName)
{
    public const string Id = "rotate-keys";

    private const string FieldVersionAttr = "fieldVersion";
    private const string CountsAttr = "counts";
    private const string ReadyAtAttr = "readyAt";

    public async Task<KeyRotationCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = Keys.MigrationRun(Id).ToAttributes(), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? FromItem(item) : null;
    }

    public Task SaveAsync(KeyRotationCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return client.PutItemAsync(new PutItemRequest { TableName = tableName, Item = ToItem(checkpoint) }, cancellationToken);
    }

    private static Dictionary<string, AttributeValue> ToItem(KeyRotationCheckpoint checkpoint)
    {
        var segments = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        for (var i = 0; i < checkpoint.Segments.Count; i++)
        {
            var position = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [Attr.SegmentDone] = Av.Bool(checkpoint.Segments[i].Done) };
            if (checkpoint.Segments[i].LastKey is { } lastKey)
            {
                position[Attr.SegmentLastKey] = Av.Map(lastKey);
            }

            segments[i.ToString(CultureInfo.InvariantCulture)] = Av.Map(position);
        }

        var key = Keys.MigrationRun(Id);
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [Attr.PK] = Av.S(key.PK),
            [Attr.SK] = Av.S(key.SK),
            [Attr.EntityType] = Av.S(EntityTypes.MigrationRun),
            [Attr.SchemaVersion] = Av.N(SchemaVersions.Initial),
            [FieldVersionAttr] = Av.N(checkpoint.FieldVersion),
            [Attr.BlindVersion] = Av.N(checkpoint.BlindVersion),
            [Attr.State] = Av.S(checkpoint.State),
            [Attr.Segments] = Av.Map(segments),
            [CountsAttr] = Av.Map(checkpoint.Counts.Named().ToDictionary(c => c.Name, c => Av.N(c.Value), StringComparer.Ordinal)),
            [Attr.StartedAt] = Av.Time(checkpoint.StartedAt),
            [Attr.UpdatedAt] = Av.Time(checkpoint.UpdatedAt),
            [ReadyAtAttr] = Av.Time(checkpoint.ReadyAt),
        };
        item.AddIfNotNull(Attr.CompletedAt, checkpoint.CompletedAt);
        return item;
    }

    private static KeyRotationCheckpoint FromItem(Dictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        var segments = reader.Map(Attr.Segments);
        var counts = new ItemReader(reader.Map(CountsAttr));
        return new KeyRotationCheckpoint
        {
            FieldVersion = (int)reader.Long(FieldVersionAttr),
            BlindVersion = (int)reader.Long(Attr.BlindVersion),
            State = reader.String(Attr.State),
            Segments =
            [
                .. Enumerable.Range(0, segments.Count).Select(i =>
                {
                    var position = new ItemReader(segments[i.ToString(CultureInfo.InvariantCulture)].M);
                    return new SegmentPosition(position.Bool(Attr.SegmentDone), position.OptionalMap(Attr.SegmentLastKey));
                }),
            ],
            Counts = KeyRotationCounts.FromNamed(name => counts.OptionalLong(name) ?? 0),
            StartedAt = reader.Time(Attr.StartedAt),
            UpdatedAt = reader.Time(Attr.UpdatedAt),
            CompletedAt = reader.OptionalTime(Attr.CompletedAt),
            ReadyAt = reader.Time(ReadyAtAttr),
        };
    }
}
