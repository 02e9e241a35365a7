using Serverless.Bench.Report;
using Serverless.Bench.Support;

namespace Serverless.Bench.Privacy;

/// <summary>
/// What field encryption costs (docs/privacy.md), each figure beside its baseline in the same run and the same DynamoDB
/// Local: reads of sealed users against the same users in plaintext, the create against its transaction prepared in
/// advance, KMS calls of a warm repository, and a user's erasure against deleting its items outright.
/// </summary>
public static class PrivacyBench
{
    public const string Key = "privacy";

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var section = new SectionResult
        {
            Key = Key,
            Title = "Privacy",
            Quick = context.Quick,
            Method =
                "Through the data layer in process (the API would add the same HTTP cost to both sides), one call at a time, sides in "
                + "alternating rounds. Reads: UserRepository's get by id and by email on sealed users (schema 3) against the same users "
                + "stored plaintext (schema 2) in a table of their own, read by the same repository with its plaintext lookups on, and by the "
                + "one GetItem or Query the read was before encryption. Creates: UserRepository.CreateAsync (it stores the password hash it "
                + "is given; nothing is hashed) against the same TransactWriteItems built in advance, and against the plaintext create's "
                + "transaction. KMS: a repository whose root key is a KMS key on moto's server, its KMS requests counted on the wire. "
                + "Erasure: UserPurge against BatchWriteItem deletes of the same items.",
        };

        await SealedReads.AddAsync(context, section, ct);
        await SealedCreates.AddAsync(context, section, ct);
        await KmsCalls.AddAsync(context, section, ct);
        await Erasure.AddAsync(context, section, ct);
        return section;
    }
}
