namespace Serverless.Local;

/// <summary>A command cannot do what was asked; the message is the one line the user sees.</summary>
public sealed class CommandException(string message) : Exception(message);
