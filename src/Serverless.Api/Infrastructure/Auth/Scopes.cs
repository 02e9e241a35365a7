namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// The API's scopes, each also the name of the authorization policy that requires it. They are independent:
/// data.write does not imply data.read, and data.admin implies neither, so a token grants exactly what it lists.
/// </summary>
public static class Scopes
{
    /// <summary>Every GET on the data.</summary>
    public const string Read = "data.read";

    /// <summary>Every create, change and delete, except role administration.</summary>
    public const string Write = "data.write";

    /// <summary>Audit history, creating roles, and granting or revoking a user's roles.</summary>
    public const string Admin = "data.admin";

    public static IReadOnlyList<string> All { get; } = [Read, Write, Admin];
}
