namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// The API's scopes. They are independent: data.write does not imply data.read, and data.admin implies neither, so a
/// token grants exactly what it lists. The service scopes act across users (back-office callers); the self scopes
/// mark an end-user token, which acts only on the user its subject names (see <see cref="Access"/>).
/// </summary>
public static class Scopes
{
    /// <summary>Every GET on the data, across users.</summary>
    public const string Read = "data.read";

    /// <summary>Every create, change and delete across users, except role administration.</summary>
    public const string Write = "data.write";

    /// <summary>Audit history, creating roles, and granting or revoking a user's roles.</summary>
    public const string Admin = "data.admin";

    /// <summary>An end user reading its own user, orders, roles and comments, and the product catalogue.</summary>
    public const string SelfRead = "self.read";

    /// <summary>An end user changing its own user, placing and cancelling its own orders, commenting as itself.</summary>
    public const string SelfWrite = "self.write";

    /// <summary>The scopes that act across users.</summary>
    public static IReadOnlyList<string> Service { get; } = [Read, Write, Admin];

    /// <summary>The scopes of an end-user token: its subject (sub) is the id of the user it acts for.</summary>
    public static IReadOnlyList<string> Self { get; } = [SelfRead, SelfWrite];

    public static IReadOnlyList<string> All { get; } = [Read, Write, Admin, SelfRead, SelfWrite];
}
