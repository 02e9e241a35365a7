namespace Serverless.DynamoDbLocal;

/// <summary>DynamoDB Local could not be obtained or started; the message says what to do about it.</summary>
public sealed class DynamoDbLocalException(string message, Exception? inner = null) : Exception(message, inner);
