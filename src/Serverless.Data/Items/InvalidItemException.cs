namespace Serverless.Data.Items;

/// <summary>
/// A stored item does not have the shape its entity type and schema version promise. This is a data defect
/// (or a schema newer than this code), never bad user input, so it is not a <c>DomainException</c>.
/// </summary>
public sealed class InvalidItemException(string message) : Exception(message);
