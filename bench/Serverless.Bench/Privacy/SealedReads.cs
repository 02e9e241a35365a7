using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Reading;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.DynamoDbLocal;

namespace Serverless.Bench.Privacy;

/// <summary>
/// Get by id and by email through <see cref="UserRepository"/>, in process, on sealed users against the same users
/// stored plaintext (schema 2), each table in the same DynamoDB Local. The API would add the same HTTP cost to both.
/// </summary>
internal static class SealedReads
{
    private const string SealedById = "sealed, by id";
    private const string PlainRepositoryById = "plaintext through the repository, by id";
    private const string PlainById = "plaintext, one GetItem, by id";
    private const string SealedByEmail = "sealed, by email";
    private const string PlainRepositoryByEmail = "plaintext through the repository, by email";
    private const string SealedQuery = "sealed, one Query, by email";
    private const string PlainByEmail = "plaintext, one Query, by email";
    private const string ColdById = "sealed, key not in memory, by id";
    private const string ColdByEmail = "sealed, key not in memory, by email";

    public static async Task AddAsync(BenchContext context, SectionResult section, CancellationToken ct)
    {
        var population = context.Quick ? 200 : 1000;
        var rounds = context.Quick ? 4 : 10;
        var perRound = context.Quick ? 100 : 300;
        var coldPerRound = context.Quick ? 25 : 100;

        var root = LocalRootKey.Ephemeral();
        var sealedTable = await context.CreateTableAsync("privacy-sealed", ct);
        var plainTable = await context.CreateTableAsync("privacy-plain", ct);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var users = Enumerable.Range(0, population).Select(n => PrivacyItems.Person(n, now)).ToList();
        // Users read once each, by a repository that has never seen them: their key is read from the table first.
        var unseen = Enumerable.Range(population, 2 * rounds * coldPerRound).Select(n => PrivacyItems.Person(n, now)).ToList();

        var snapshot = await new FieldProtection(context.Client, sealedTable, root, TimeProvider.System).KeysAsync(ct);
        var sealer = new UserItemSealer(snapshot);
        await RawWrites.BatchWriteAsync(context.Client, sealedTable, [.. users.Concat(unseen).SelectMany(u => sealer.ForUser(u, 1))], 8, ct);
        await RawWrites.BatchWriteAsync(context.Client, plainTable, [.. users.SelectMany(PrivacyItems.Plaintext)], 8, ct);

        // One client for every side, as one function instance has; its requests are logged to show what each read sends.
        using var log = new CallLog();
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, new AmazonDynamoDBConfig
        {
            ServiceURL = context.ServiceUrl.ToString(),
            AuthenticationRegion = DynamoDbLocalServer.LocalRegion,
            MaxErrorRetry = 3,
            HttpClientFactory = log,
        });
        var sealedUsers = new UserRepository(new TableAccess(client, PrivacyItems.Options(sealedTable), TimeProvider.System, root));
        var coldUsers = new UserRepository(new TableAccess(client, PrivacyItems.Options(sealedTable), TimeProvider.System, root));
        // A table still holding plaintext users is read with its plaintext lookups on (docs/privacy.md); its keyring is
        // made on first use, as on a table being migrated.
        var plainUsers = new UserRepository(new TableAccess(client, PrivacyItems.Options(plainTable) with { PlaintextLookups = true }, TimeProvider.System, root));

        async Task<User?> PlainGetAsync(Guid id)
        {
            var response = await client.GetItemAsync(new GetItemRequest { TableName = plainTable, Key = Keys.User(id).ToAttributes(), ConsistentRead = true }, ct);
            return ExpiryFilter.Live(response.Item, DateTimeOffset.UtcNow) is { } item ? UserMapper.FromItem(item) : null;
        }

        async Task<User?> PlainQueryAsync(string email)
        {
            var request = new PartitionQuery(IndexNames.Email, EmailAddress.Normalize(email)).ToRequest(plainTable).ExcludeExpired(DateTimeOffset.UtcNow);
            var response = await client.QueryAsync(request, ct);
            return response.Items is { Count: > 0 } items ? UserMapper.FromItem(items[0]) : null;
        }

        async Task<Dictionary<string, AttributeValue>?> SealedQueryAsync(string email)
        {
            var token = UserProtection.EmailToken(snapshot, snapshot.ActiveBlind, email);
            var request = new PartitionQuery(IndexNames.Email, token).ToRequest(sealedTable).ExcludeExpired(DateTimeOffset.UtcNow);
            var response = await client.QueryAsync(request, ct);
            return response.Items is { Count: > 0 } items ? items[0] : null;
        }

        var sides = new Rounds()
            .Add(SealedById, perRound, async i => Expect(users[i % population], await sealedUsers.GetAsync(users[i % population].Id, ct)))
            .Add(PlainRepositoryById, perRound, async i => Expect(users[i % population], await plainUsers.GetAsync(users[i % population].Id, ct)))
            .Add(PlainById, perRound, async i => Expect(users[i % population], await PlainGetAsync(users[i % population].Id)))
            .Add(SealedByEmail, perRound, async i => Expect(users[i % population], await sealedUsers.GetByEmailAsync(users[i % population].Email, ct)))
            .Add(PlainRepositoryByEmail, perRound, async i => Expect(users[i % population], await plainUsers.GetByEmailAsync(users[i % population].Email, ct)))
            .Add(PlainByEmail, perRound, async i => Expect(users[i % population], await PlainQueryAsync(users[i % population].Email)))
            // The sealed read's Query alone: what DynamoDB takes to return the larger sealed item, without the repository.
            .Add(SealedQuery, perRound, async i => _ = await SealedQueryAsync(users[i % population].Email)
                ?? throw new InvalidOperationException($"The email index of user {users[i % population].Id} is missing."))
            .Add(ColdById, coldPerRound, async i => Expect(unseen[i], await coldUsers.GetAsync(unseen[i].Id, ct)))
            .Add(ColdByEmail, coldPerRound, async i => Expect(unseen[rounds * coldPerRound + i], await coldUsers.GetByEmailAsync(unseen[rounds * coldPerRound + i].Email, ct)));

        // Warm every path (JIT, connections, the keyrings) and read every user once: a warm function has the keys of
        // the users it has just served in memory (for a minute, UserKeyCacheOptions).
        foreach (var user in users)
        {
            Expect(user, await sealedUsers.GetAsync(user.Id, ct));
            Expect(user, await sealedUsers.GetByEmailAsync(user.Email, ct));
            Expect(user, await plainUsers.GetAsync(user.Id, ct));
            Expect(user, await plainUsers.GetByEmailAsync(user.Email, ct));
            Expect(user, await PlainGetAsync(user.Id));
            Expect(user, await PlainQueryAsync(user.Email));
        }

        for (var i = 0; i < 20; i++)
        {
            Expect(users[i % population], await coldUsers.GetAsync(users[i % population].Id, ct));
            Expect(users[i % population], await coldUsers.GetByEmailAsync(users[i % population].Email, ct));
        }

        var result = await sides.RunAsync(rounds, ct);

        // The requests each side sends per read.
        var requests = new List<string>();
        // A repository that has not seen the unseen users yet, its keyring loaded, for the reads whose key is not in memory.
        var fresh = new UserRepository(new TableAccess(client, PrivacyItems.Options(sealedTable), TimeProvider.System, root));
        Expect(users[0], await fresh.GetAsync(users[0].Id, ct));
        foreach (var (name, read) in new (string, Func<int, Task>)[]
        {
            (ColdById, i => fresh.GetAsync(unseen[i].Id, ct)),
            (ColdByEmail, i => fresh.GetByEmailAsync(unseen[rounds * coldPerRound + i].Email, ct)),
            (SealedById, i => sealedUsers.GetAsync(users[i].Id, ct)),
            (PlainRepositoryById, i => plainUsers.GetAsync(users[i].Id, ct)),
            (SealedByEmail, i => sealedUsers.GetByEmailAsync(users[i].Email, ct)),
            (PlainRepositoryByEmail, i => plainUsers.GetByEmailAsync(users[i].Email, ct)),
            (PlainByEmail, i => PlainQueryAsync(users[i].Email)),
        })
        {
            log.Clear();
            const int reads = 20;
            await Rounds.TimeAsync(reads, read);
            requests.Add($"{name}: " + string.Join(" + ", log.Calls.GroupBy(c => c.Operation).Select(g => $"{g.Count() / (double)reads:0.##} {g.Key}")));
        }

        // What decryption itself costs in process, beside the round trips.
        var sealedItem = sealer.ForUser(users[0], 1).First();
        var keys = sealer.KeysOf(users[0].Id);
        var plainItem = PrivacyItems.PlaintextUser(users[0]);
        var open = Rounds.Micro(2000, _ => UserMapper.FromItem(UserProtection.Open(sealedItem, keys)));
        var map = Rounds.Micro(2000, _ => UserMapper.FromItem(plainItem));

        await context.DropTableAsync(sealedTable, ct);
        await context.DropTableAsync(plainTable, ct);

        AddRows(section, "get user by id", result[SealedById], result[PlainRepositoryById], "plaintext items, same repository");
        AddRows(section, "get user by email", result[SealedByEmail], result[PlainByEmail], "plaintext items, one Query");
        foreach (var (pattern, cold, plain) in new[] { ("by id", ColdById, PlainById), ("by email", ColdByEmail, PlainByEmail) })
        {
            section.Rows.Add(new Row
            {
                Measure = $"get user {pattern}, the user's key not in memory: p50, sealed / plaintext",
                Ours = Format.Ms(result[cold].Median),
                Baseline = Format.Ms(result[plain].Median) + (pattern == "by id" ? " (one GetItem)" : " (one Query)"),
                Ratio = result[cold].Median / result[plain].Median,
            });
        }

        section.Details.Add(
            $"Reads, {rounds} alternating rounds of {perRound} sequential calls per side from {population} users "
            + $"({coldPerRound} per round for the users never read before): "
            + string.Join("; ", result.Select(r => $"{r.Key} p50 {Format.Ms(r.Value.Median)}, p99 {Format.Ms(r.Value.P99)} (rounds' p50 ±{r.Value.Noise:P0})")) + ".");
        section.Details.Add("DynamoDB requests per read: " + string.Join("; ", requests) + ".");
        section.Details.Add(
            $"In process, per read: opening a sealed user item ({ProtectedFields.User.Count(sealedItem.ContainsKey)} fields, AES-256-GCM under the user's derived key) and mapping it "
            + $"p50 {Format.Us(open.Median)}, against {Format.Us(map.Median)} mapping the plaintext item.");
        section.Details.Add(
            $"The repository on the plaintext table (its plaintext lookups on, as while the migration runs) reads by id as before "
            + $"(p50 {Format.Ms(result[PlainRepositoryById].Median)} against {Format.Ms(result[PlainById].Median)} for the bare GetItem: the user's "
            + "absent key is looked up beside it, and remembered), but by email it first queries the email's blind index, which misses, and "
            + $"then the plaintext key: p50 {Format.Ms(result[PlainRepositoryByEmail].Median)}. That is the migration's cost, not the read "
            + "before encryption, so the by-email baseline is the one Query the read was.");
        section.Details.Add(
            $"By email, the sealed read's Query alone (no repository, no decryption) p50 {Format.Ms(result[SealedQuery].Median)}, against "
            + $"{Format.Ms(result[PlainByEmail].Median)} for the plaintext one: the gap between those two is DynamoDB's share (the sealed "
            + $"item is larger), and the sealed read's {Format.Ms(result[SealedByEmail].Median - result[SealedQuery].Median)} over its own "
            + "Query is the repository's in process (blind index, key lookup in memory, decryption, mapping). "
            + "A user whose key the instance does not hold (first read of that user in a minute, on this instance): by id the key's GetItem "
            + "runs beside the user's, so it costs little; by email it can only follow the Query (the user's id comes from the index), "
            + "so it adds a round trip. A warm function serving the same users again holds their keys; one seeing each user once does not.");

        foreach (var row in section.Rows.Where(r => r.Verdict.StartsWith("missed", StringComparison.Ordinal) && r.Measure.StartsWith("get user", StringComparison.Ordinal)))
        {
            section.Notes.Add(
                $"**{row.Measure}** {row.Verdict}: {row.Ours} against {row.Baseline}. Decryption in process is {Format.Us(open.Median - map.Median)} "
                + "of the difference per read; the rest is the round trips: the sealed items are larger (each field a binary ciphertext with "
                + "its header and tag), and a user's key is read from the table when the instance does not hold it.");
        }
    }

    private static void AddRows(SectionResult section, string pattern, Sample ours, Sample baseline, string baselineName)
    {
        section.Rows.Add(new Row
        {
            Measure = $"{pattern}: p50, sealed / plaintext",
            Ours = Format.Ms(ours.Median),
            Baseline = $"{Format.Ms(baseline.Median)} ({baselineName})",
            Ratio = ours.Median / baseline.Median,
            Goal = Goal.Max(1.15, "<= 1.15"),
        });
        section.Rows.Add(new Row
        {
            Measure = $"{pattern}: p99, sealed / plaintext",
            Ours = Format.Ms(ours.P99),
            Baseline = Format.Ms(baseline.P99),
            Ratio = ours.P99 / baseline.P99,
        });
    }

    private static void Expect(User expected, User? found)
    {
        if (found is null || found.Id != expected.Id || found.Email != expected.Email)
        {
            // Names the user by id only: the email is PII.
            throw new InvalidOperationException($"A read of user {expected.Id} did not return that user.");
        }
    }
}
