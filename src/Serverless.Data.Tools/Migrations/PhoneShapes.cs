using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Domain.Users;

namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// The two stored shapes of a user's phone, as pure functions on raw items: version 1 keeps it in
/// <c>metadata.phone</c>, version 2 in <c>phone</c> (E.164). <see cref="Upgrade"/> and <see cref="Downgrade"/> are
/// exact inverses on every item <see cref="Upgrade"/> accepts, which is what makes the rollback exact.
/// Nothing else of the item changes: not <c>version</c> (the user did not change, so a client holding version n
/// may still write), not <c>updatedAt</c>, not <c>lastWriter</c>.
/// </summary>
public static class PhoneShapes
{
    public const int V1 = 1;
    public const int V2 = 2;

    /// <summary>The version 2 item, or why the item cannot be migrated (it then stays as it is).</summary>
    public static ShapeResult Upgrade(IReadOnlyDictionary<string, AttributeValue> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (SchemaVersionOf(item) != V1)
        {
            return ShapeResult.Fail("is not at schema version 1.");
        }

        if (item.ContainsKey(Attr.Phone))
        {
            // Which phone is right is a person's decision, not the migration's.
            return ShapeResult.Fail("has both schema version 1 and a 'phone' attribute.");
        }

        var upgraded = Copy(item);
        upgraded[Attr.SchemaVersion] = new AttributeValue { N = "2" };
        if (!item.TryGetValue(Attr.Metadata, out var metadata) || metadata.M is null || !metadata.M.TryGetValue(PhoneNumber.LegacyMetadataKey, out var legacy))
        {
            return item.TryGetValue(Attr.Metadata, out var m) && m.M is null && !(m.NULL ?? false)
                ? ShapeResult.Fail("has a 'metadata' attribute that is not a map.")
                : ShapeResult.Ok(upgraded, phone: null);
        }

        if (legacy.S is not { } phone)
        {
            return ShapeResult.Fail("metadata.phone is not a string.");
        }

        if (PhoneProblem(phone) is { } problem)
        {
            return ShapeResult.Fail(problem);
        }

        var newMetadata = new Dictionary<string, AttributeValue>(metadata.M, StringComparer.Ordinal);
        _ = newMetadata.Remove(PhoneNumber.LegacyMetadataKey);
        upgraded[Attr.Metadata] = new AttributeValue { M = newMetadata };
        upgraded[Attr.Phone] = new AttributeValue { S = phone };
        return ShapeResult.Ok(upgraded, phone);
    }

    /// <summary>The version 1 item, or why the item cannot be rolled back (it then stays as it is).</summary>
    public static ShapeResult Downgrade(IReadOnlyDictionary<string, AttributeValue> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (SchemaVersionOf(item) != V2)
        {
            return ShapeResult.Fail("is not at schema version 2.");
        }

        var downgraded = Copy(item);
        downgraded[Attr.SchemaVersion] = new AttributeValue { N = "1" };
        if (!item.TryGetValue(Attr.Phone, out var phoneValue))
        {
            return ShapeResult.Ok(downgraded, phone: null);
        }

        if (phoneValue.S is not { } phone)
        {
            return ShapeResult.Fail("'phone' is not a string.");
        }

        _ = downgraded.Remove(Attr.Phone);
        if (!item.TryGetValue(Attr.Metadata, out var metadata))
        {
            downgraded[Attr.Metadata] = new AttributeValue { M = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [PhoneNumber.LegacyMetadataKey] = phoneValue } };
            return ShapeResult.Ok(downgraded, phone);
        }

        if (metadata.M is null)
        {
            return ShapeResult.Fail("has a 'metadata' attribute that is not a map.");
        }

        if (metadata.M.ContainsKey(PhoneNumber.LegacyMetadataKey))
        {
            return ShapeResult.Fail("already has metadata.phone; rolling back would overwrite it.");
        }

        downgraded[Attr.Metadata] = new AttributeValue
        {
            M = new Dictionary<string, AttributeValue>(metadata.M, StringComparer.Ordinal) { [PhoneNumber.LegacyMetadataKey] = phoneValue },
        };
        return ShapeResult.Ok(downgraded, phone);
    }

    /// <summary>
    /// Why a legacy phone is not E.164, described without repeating the number (a report must not carry PII);
    /// null when it is valid.
    /// </summary>
    public static string? PhoneProblem(string phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        if (PhoneNumber.IsValid(phone))
        {
            return null;
        }

        if (phone.Trim().Length == 0)
        {
            return "metadata.phone is empty.";
        }

        if (phone[0] != '+')
        {
            return "metadata.phone lacks the leading '+' and country code (E.164).";
        }

        var digits = phone[1..];
        if (!digits.All(char.IsAsciiDigit))
        {
            return "metadata.phone contains characters other than digits after the '+' (spaces, dashes, letters).";
        }

        if (digits.StartsWith('0'))
        {
            return "metadata.phone's country code starts with 0.";
        }

        return digits.Length < 2
            ? "metadata.phone is too short for E.164 (at least 2 digits)."
            : $"metadata.phone has {digits.Length} digits; E.164 allows at most 15.";
    }

    /// <summary>True when the item is at <paramref name="version"/> (the shape a direction starts from).</summary>
    public static bool IsAt(IReadOnlyDictionary<string, AttributeValue> item, int version)
    {
        ArgumentNullException.ThrowIfNull(item);
        return SchemaVersionOf(item) == version;
    }

    private static int? SchemaVersionOf(IReadOnlyDictionary<string, AttributeValue> item) =>
        item.TryGetValue(Attr.SchemaVersion, out var v) && int.TryParse(v.N, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    private static Dictionary<string, AttributeValue> Copy(IReadOnlyDictionary<string, AttributeValue> item) =>
        new(item, StringComparer.Ordinal);
}

/// <summary>The item in its new shape (and the phone that moved, if any), or the reason it cannot change.</summary>
public sealed record ShapeResult(Dictionary<string, AttributeValue>? Item, string? Phone, string? Failure)
{
    public static ShapeResult Ok(Dictionary<string, AttributeValue> item, string? phone) => new(item, phone, null);

    public static ShapeResult Fail(string reason) => new(null, null, reason);
}
