namespace Serverless.Streams.Decoding;

/// <summary>
/// An item that indexes a user rather than being an entity: the email marker (<see cref="Term"/> is the normalized
/// email), a name word (the stem) or an address city (the normalized city).
/// </summary>
public sealed record UserIndexEntry(string EntityType, Guid UserId, string Term);
