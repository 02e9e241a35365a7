using Serverless.Domain.Security;

namespace Serverless.Api.Infrastructure.Passwords;

/// <summary>
/// How many password hashes run at once (configuration section <c>PasswordHashing</c>). A hash is PBKDF2 at 600,000
/// iterations, about half a second of one core: on a Kestrel host every request shares the same cores, so a burst of
/// user creates would starve every other request (8 at once on 2 cores took GET /users/{id} from about 940 to 6
/// requests a second). Past <see cref="MaxConcurrent"/> a hash waits in a bounded queue for a bounded time, then the
/// request is answered 503 with Retry-After, before anything is written.
/// </summary>
/// <remarks>
/// On Lambda the limit is moot: an execution environment runs one invocation at a time, so at most one hash runs
/// per environment and never queues; concurrency comes from more environments, each with its own CPU share (set by
/// the function's memory), and the function's reserved concurrency bounds how many run at once.
/// </remarks>
public sealed class PasswordHashingOptions
{
    public const string Section = "PasswordHashing";

    /// <summary>Off: every hash runs at once, as before the limit existed (for comparison in the benchmarks).</summary>
    public bool Limit { get; set; } = true;

    /// <summary>Hashes running at once; default half the cores (at least 1), leaving the rest for other requests.</summary>
    public int? MaxConcurrent { get; set; }

    /// <summary>Hashes waiting for a turn; one more is refused at once with 503.</summary>
    public int QueueLimit { get; set; } = 16;

    /// <summary>How long a hash waits for its turn before the request is refused with 503.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PBKDF2 iterations of a new hash (<see cref="PasswordHasher.MinIterations"/> to <see cref="PasswordHasher.MaxIterations"/>;
    /// default OWASP's 600,000). Each hash stores its own count, so changing it leaves existing passwords valid.
    /// </summary>
    public int Iterations { get; set; } = PasswordHasher.Iterations;

    public int EffectiveMaxConcurrent => MaxConcurrent ?? Math.Max(1, Environment.ProcessorCount / 2);
}
