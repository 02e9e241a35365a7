namespace Serverless.Data.Idempotency;

/// <summary>How long idempotency records live (bound from <c>Idempotency</c> configuration by the API).</summary>
public sealed record IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>How long a completed request's response is replayed for the same key; the record's ttl.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a claimed request may run before its record counts as abandoned (the function timed out or crashed), so
    /// a retry runs again instead of getting 409 until the ttl. At least the API function's timeout (29 s in
    /// template.yaml): an in-progress record never outlives the invocation that made it by more than the difference.
    /// </summary>
    public TimeSpan InProgressTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <exception cref="InvalidOperationException">A setting is out of range.</exception>
    /// <param name="softDeleteRetention">A stored response may hold a user's PII under a keyring key, not the user's own:
    /// it must be gone (by its ttl) before the user's purge erases everything else.</param>
    public void Validate(TimeSpan softDeleteRetention)
    {
        var problems = new List<string>();
        if (Expiry < TimeSpan.FromMinutes(1) || Expiry >= softDeleteRetention)
        {
            problems.Add("Idempotency:Expiry must be at least one minute and shorter than Table:SoftDeleteRetention.");
        }

        if (InProgressTimeout < TimeSpan.FromSeconds(1) || InProgressTimeout > Expiry)
        {
            problems.Add("Idempotency:InProgressTimeout must be at least one second and no longer than Idempotency:Expiry.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }
    }
}
