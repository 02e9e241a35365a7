using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Bench.Privacy;

/// <summary>
/// A user's create through <see cref="UserRepository.CreateAsync"/> (which seals; it does not hash a password, the API
/// does that before) against the same TransactWriteItems prepared in advance, and against the transaction a create
/// wrote before encryption (plaintext items, no key item), also prepared in advance.
/// </summary>
internal static class SealedCreates
{
    private const string Repository = "repository create (sealed)";
    private const string SealedTransaction = "the same transaction, prepared";
    private const string PlainTransaction = "the plaintext create's transaction, prepared";

    public static async Task AddAsync(BenchContext context, SectionResult section, CancellationToken ct)
    {
        var rounds = context.Quick ? 4 : 10;
        var perRound = context.Quick ? 25 : 100;
        const int warm = 10;
        var count = rounds * perRound + warm;

        var table = await context.CreateTableAsync("privacy-create", ct);
        using var client = context.CreateClient();
        var access = new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, LocalRootKey.Ephemeral());
        var users = new UserRepository(access);
        var snapshot = await access.Privacy.KeysAsync(ct);
        var sealer = new UserItemSealer(snapshot);

        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var toCreate = Enumerable.Range(0, count).Select(n => PrivacyItems.Person(n, now)).ToArray();
        var sealedRequests = Enumerable.Range(0, count)
            .Select(n => PrivacyItems.CreateTransaction(table, [.. sealer.ForUser(PrivacyItems.Person(n, now), 1)], withKeyItem: true, now))
            .ToArray();
        var plainRequests = Enumerable.Range(0, count)
            .Select(n => PrivacyItems.CreateTransaction(table, PrivacyItems.Plaintext(PrivacyItems.Person(n, now)), withKeyItem: false, now))
            .ToArray();

        var warmFrom = rounds * perRound;
        for (var i = warmFrom; i < count; i++)
        {
            await users.CreateAsync(toCreate[i], PrivacyItems.Writer, ct);
            await client.TransactWriteItemsAsync(sealedRequests[i], ct);
            await client.TransactWriteItemsAsync(plainRequests[i], ct);
        }

        var result = await new Rounds()
            .Add(Repository, perRound, i => users.CreateAsync(toCreate[i], PrivacyItems.Writer, ct))
            .Add(SealedTransaction, perRound, i => client.TransactWriteItemsAsync(sealedRequests[i], ct))
            .Add(PlainTransaction, perRound, i => client.TransactWriteItemsAsync(plainRequests[i], ct))
            .RunAsync(rounds, ct);

        // Sealing alone, in process: the user item's fields and the blind indexes of its email, words and cities,
        // against building the same items in clear.
        var sample = toCreate[0];
        var seal = Rounds.Micro(2000, n =>
        {
            var keys = new UserFieldKeys(snapshot, sample.Id, UserKeyStore.NewSeed());
            _ = UserProtection.Seal(UserMapper.ToItem(sample, 1), keys);
            _ = UserProtection.WordTokens(snapshot, snapshot.ActiveBlind, sample);
            _ = UserProtection.CityTokens(snapshot, snapshot.ActiveBlind, sample);
        });
        var clear = Rounds.Micro(2000, n =>
        {
            _ = UserMapper.ToItem(sample, 1);
            _ = UserIndexItemMapper.WordsOf(sample);
            _ = UserIndexItemMapper.CitiesOf(sample);
        });
        await context.DropTableAsync(table, ct);

        var created = result[Repository];
        var same = result[SealedTransaction];
        var plain = result[PlainTransaction];
        // "Within noise": the ratio's excess over 1 is no larger than how far the baseline's own round medians move.
        static Goal WithinNoiseOf(Sample baseline) =>
            Goal.Max(1 + baseline.Noise, $"<= {1 + baseline.Noise:0.00} (1 + the baseline's round-to-round noise, ±{baseline.Noise:P0})");
        section.Rows.Add(new Row
        {
            Measure = "create user: p50, repository (sealed) / the same TransactWriteItems prepared in advance",
            Ours = Format.Ms(created.Median),
            Baseline = Format.Ms(same.Median),
            Ratio = created.Median / same.Median,
            Goal = WithinNoiseOf(same),
        });
        section.Rows.Add(new Row
        {
            Measure = "create user: p50, sealed transaction / the plaintext create's transaction (both prepared)",
            Ours = Format.Ms(same.Median),
            Baseline = Format.Ms(plain.Median),
            Ratio = same.Median / plain.Median,
        });
        section.Rows.Add(new Row
        {
            Measure = "create user: p50, repository (sealed) / the plaintext create's transaction prepared in advance",
            Ours = Format.Ms(created.Median),
            Baseline = Format.Ms(plain.Median),
            Ratio = created.Median / plain.Median,
            Goal = WithinNoiseOf(plain),
        });
        section.Details.Add(
            $"Creates, {rounds} alternating rounds of {perRound} sequential calls per side: "
            + string.Join("; ", result.Select(r => $"{r.Key} p50 {Format.Ms(r.Value.Median)}, p99 {Format.Ms(r.Value.P99)} (rounds' p50 ±{r.Value.Noise:P0})")) + ".");
        section.Details.Add(
            $"Cost of sealing per create, as measured: {Format.Ms(created.Median - same.Median)} at p50 between the repository's create and the "
            + "same transaction sent as built in advance. That is everything the create does in process (validation, mapping, a new key, "
            + "sealing the fields, the blind indexes, building the request), not sealing alone; sealing alone (the user item's fields under a "
            + $"new key, the blind indexes of email, words and cities) is {Format.Us(seal.Median - clear.Median)} at p50 "
            + $"({Format.Us(seal.Median)} against {Format.Us(clear.Median)} to build the same items in clear).");
        section.Details.Add(
            $"What DynamoDB is given to do more: the sealed transaction holds one more item (the user's key) and larger ones (binary "
            + $"ciphertexts, blind-index keys): {Format.Ms(same.Median - plain.Median)} at p50 over the plaintext create's transaction. "
            + "No password is hashed on any side: the repository stores the hash it is given (the API hashes before calling it).");

        foreach (var row in section.Rows.Where(r => r.Measure.StartsWith("create user", StringComparison.Ordinal) && r.Verdict.StartsWith("missed", StringComparison.Ordinal)))
        {
            section.Notes.Add(
                $"**{row.Measure}** {row.Verdict}: {row.Ours} against {row.Baseline}. Sealing in process is {Format.Us(seal.Median - clear.Median)} "
                + $"of it; DynamoDB's extra work for the key item and the larger items is {Format.Ms(same.Median - plain.Median)}.");
        }
    }
}
