namespace Serverless.Lambda.Batch;

/// <summary>Counts of one batch, for logs and metrics; <see cref="Failed"/> includes the records reported only to keep order.</summary>
public readonly record struct BatchSummary(int Records, int Processed, int Ignored, int Unrecognized, int Failed);
