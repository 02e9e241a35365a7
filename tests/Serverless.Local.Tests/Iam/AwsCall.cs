namespace Serverless.Local.Tests.Iam;

/// <summary>
/// One request as IAM authorizes it: the action (<c>dynamodb:PutItem</c>), the resource ARN it targets in the deployed
/// stack, the partition key values it touches (IAM's <c>dynamodb:LeadingKeys</c>), other request context keys (such as
/// <c>kms:ViaService</c>), and who makes it: the function's code, or Lambda on the function's behalf.
/// </summary>
internal sealed record AwsCall(string Action, string Resource, string Origin)
{
    public const string Code = "the function's code";

    public IReadOnlyList<string> LeadingKeys { get; init; } = [];

    public IReadOnlyDictionary<string, string> Context { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The values of a condition key in this request; null when the request does not carry the key.</summary>
    public IReadOnlyList<string>? ValuesOf(string conditionKey)
    {
        if (string.Equals(conditionKey, "dynamodb:LeadingKeys", StringComparison.OrdinalIgnoreCase))
        {
            return LeadingKeys.Count == 0 ? null : LeadingKeys;
        }

        return Context.FirstOrDefault(c => string.Equals(c.Key, conditionKey, StringComparison.OrdinalIgnoreCase)) is { Key: not null } found
            ? [found.Value]
            : null;
    }

    /// <summary>The same request for the checks: keys reduced to their typed prefix, since the prefixes are what the roles name.</summary>
    public AwsCall Generalized() => this with { LeadingKeys = [.. LeadingKeys.Select(Prefix).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };

    public bool SameAs(AwsCall other) =>
        Action == other.Action && Resource == other.Resource && Origin == other.Origin
        && LeadingKeys.SequenceEqual(other.LeadingKeys) && Context.Count == other.Context.Count && !Context.Except(other.Context).Any();

    // Key values can hold an email address (the email marker): messages show only the typed prefix, never the rest.
    public override string ToString() =>
        $"{Action} on {Resource}"
        + (LeadingKeys.Count == 0 ? "" : $" (partition keys {string.Join(", ", LeadingKeys.Select(k => Prefix(k) + "*").Distinct(StringComparer.Ordinal))})")
        + (Context.Count == 0 ? "" : $" ({string.Join(", ", Context.Select(c => $"{c.Key}={c.Value}"))})")
        + $", by {Origin}";

    private static string Prefix(string key) => key.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? key[..(hash + 1)] : key;
}
