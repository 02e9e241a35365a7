namespace Serverless.Lambda.Batch;

/// <summary>The batch cannot be answered with a partial failure; thrown so Lambda retries the whole batch.</summary>
public sealed class StreamBatchException(string message) : Exception(message);
