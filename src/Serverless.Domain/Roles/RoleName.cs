namespace Serverless.Domain.Roles;

/// <summary>
/// Role names are unique regardless of case and spacing ("Support Team", " support  team" and "SUPPORT TEAM" are one
/// name): two roles a person cannot tell apart in a list would be granted by mistake.
/// </summary>
public static class RoleName
{
    /// <summary>The form uniqueness is decided on: runs of white space made one space, trimmed, lower-cased (invariant culture).</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
    }
}
