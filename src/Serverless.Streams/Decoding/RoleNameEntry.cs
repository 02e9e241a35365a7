namespace Serverless.Streams.Decoding;

/// <summary>A role name marker: the normalized name <see cref="Name"/> is held by the role <see cref="RoleId"/>.</summary>
public sealed record RoleNameEntry(Guid RoleId, string Name);
