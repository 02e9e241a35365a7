namespace Serverless.Local.Streams;

/// <summary>The key pair (and optional session token) a request is signed with.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>What DynamoDB Local accepts; with -sharedDb the values do not matter, but they must be present.</summary>
    public static AwsCredentials Local { get; } = new("local", "local");

    // Keep the secret out of logs and exception messages that print the record.
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
