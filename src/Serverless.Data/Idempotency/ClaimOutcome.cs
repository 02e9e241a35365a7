namespace Serverless.Data.Idempotency;

/// <summary>What claiming a request's record found.</summary>
public abstract record ClaimOutcome
{
    private ClaimOutcome()
    {
    }

    /// <summary>The record is this request's: run it, then <c>CompleteAsync</c> or <c>ReleaseAsync</c> with the claim.</summary>
    public sealed record Claimed(IdempotencyClaim Claim) : ClaimOutcome;

    /// <summary>The same key and payload completed before: answer with its response, write nothing.</summary>
    public sealed record Completed(StoredResponse Response) : ClaimOutcome;

    /// <summary>The same key and payload is still running elsewhere (until <paramref name="Until"/> at the latest).</summary>
    public sealed record InProgress(DateTimeOffset Until) : ClaimOutcome;

    /// <summary>The key was used with another payload.</summary>
    public sealed record PayloadMismatch : ClaimOutcome;
}

/// <summary>A record this request holds: its key and the token that proves the claim is still its own.</summary>
public sealed record IdempotencyClaim(string RecordHash, string Token, string PayloadHash);
