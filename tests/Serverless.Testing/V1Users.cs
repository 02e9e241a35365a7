using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Users;

namespace Serverless.Testing;

/// <summary>
/// Users stored in the version 1 shape, written directly (not through the migration's own code): the phone in
/// metadata.phone and schemaVersion 1. Every 20th has an invalid phone (5%), every 7th other one has none.
/// </summary>
public static class V1Users
{
    public const int InvalidEvery = 20;
    private const int NoPhoneEvery = 7;

    /// <summary>Not E.164, each for a different reason.</summary>
    public static readonly string[] InvalidPhones = ["555-0100", "+0123456", "", "+1 415 555 0100", "+1234567890123456", "0044 20 7946 0958", "+", "+1abc"];

    public static bool IsInvalid(int index) => index % InvalidEvery == 0;

    public static List<Dictionary<string, AttributeValue>> Build(int count)
    {
        var items = new List<Dictionary<string, AttributeValue>>(count);
        var createdAt = new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "import", ["tier"] = (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (IsInvalid(i))
            {
                metadata[PhoneNumber.LegacyMetadataKey] = InvalidPhones[i / InvalidEvery % InvalidPhones.Length];
            }
            else if (i % NoPhoneEvery != 0)
            {
                metadata[PhoneNumber.LegacyMetadataKey] = FormattableString.Invariant($"+1415{i:0000000}");
            }

            var user = new User
            {
                Id = DeterministicIds.For(99, "v1-user", i),
                Email = FormattableString.Invariant($"user{i}@example.com"),
                Name = FormattableString.Invariant($"Test User {i}"),
                PasswordHash = "$2b$12$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
                Metadata = metadata,
                Balance = i % 100,
                CreatedAt = createdAt.AddMinutes(i),
                UpdatedAt = createdAt.AddMinutes(i),
                Version = 1 + (i % 4),
                LastWriter = "legacy-app",
            };
            Telemetry.TelemetryTap.Process.Secrets.User(user);
            var item = UserMapper.ToItem(user, createdDateShards: 1);
            // What version 1 code stored: the same item, phone only inside metadata, schemaVersion 1.
            item["schemaVersion"] = new AttributeValue { N = "1" };
            items.Add(item);
        }

        return items;
    }

    public static async Task<List<Dictionary<string, AttributeValue>>> WriteAsync(IAmazonDynamoDB client, string tableName, int count, CancellationToken cancellationToken)
    {
        var items = Build(count);
        await new BatchWriter(client, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(tableName, items, null, cancellationToken);
        return items;
    }
}
