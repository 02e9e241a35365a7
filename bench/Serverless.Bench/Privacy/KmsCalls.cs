using Amazon.KeyManagementService;
using Amazon.Runtime;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Bench.Privacy;

/// <summary>
/// KMS requests a warm repository makes per 1,000 reads, its root key a KMS key on moto's server, every request its
/// KMS client sends recorded on the wire. The users are created by another instance first (which makes the keyring).
/// </summary>
internal static class KmsCalls
{
    public static async Task AddAsync(BenchContext context, SectionResult section, CancellationToken ct)
    {
        var population = context.Quick ? 50 : 200;
        var reads = context.Quick ? 1_000 : 10_000;
        const int warmReads = 20;

        await using var kms = await MotoKms.StartAsync(ct);
        var table = await context.CreateTableAsync("privacy-kms", ct);
        using var client = context.CreateClient();

        // The instance that creates the users: the keyring's first versions are made by its first use.
        using var writerLog = new CallLog();
        using var writerKms = KmsClient(kms, writerLog);
        var writer = new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, new KmsRootKey(writerKms, kms.KeyArn));
        var now = DateTimeOffset.UtcNow;
        var users = new List<User>(population);
        foreach (var n in Enumerable.Range(0, population))
        {
            users.Add(await new UserRepository(writer).CreateAsync(PrivacyItems.Person(n, now), PrivacyItems.Writer, ct));
        }

        // A new instance, as a function's: its first reads unwrap the keyring, the rest must not call KMS.
        using var readerLog = new CallLog();
        using var readerKms = KmsClient(kms, readerLog);
        var reader = new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, new KmsRootKey(readerKms, kms.KeyArn));
        var repository = new UserRepository(reader);
        async Task ReadAsync(int i)
        {
            var user = users[i % population];
            var found = i % 2 == 0 ? await repository.GetAsync(user.Id, ct) : await repository.GetByEmailAsync(user.Email, ct);
            if (found?.Id != user.Id)
            {
                throw new InvalidOperationException($"A read of user {user.Id} did not return that user.");
            }
        }

        for (var i = 0; i < warmReads; i++)
        {
            await ReadAsync(i);
        }

        var atStart = readerLog.Calls;
        var rootAtStart = reader.Privacy.Keyring.RootKeyCalls;
        readerLog.Clear();
        var times = await Rounds.TimeAsync(reads, ReadAsync);
        var calls = readerLog.Calls;
        var rootCalls = reader.Privacy.Keyring.RootKeyCalls - rootAtStart;
        await context.DropTableAsync(table, ct);

        var perThousand = calls.Count * 1000.0 / reads;
        var elapsed = times.Sum() / 1000;
        var rate = reads / elapsed;
        var cache = new KeyringCacheOptions();
        var versions = atStart.Count(c => c.Operation == "Decrypt");
        section.Rows.Add(new Row
        {
            Measure = $"KMS calls per 1,000 reads on a warm repository ({reads:#,0} reads after {warmReads} to warm)",
            Ours = perThousand.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            Baseline = "0 (plaintext reads need no key)",
            Ratio = perThousand,
            Goal = Goal.Max(1, "<= 1"),
        });
        section.Details.Add(
            $"KMS, counted on the wire (the KMS client's HTTP requests, moto's server): the instance that created {population} users made "
            + $"{Describe(writerLog.Calls)} (the keyring's first versions, then their unwrapping by that instance); a new instance made "
            + $"{Describe(atStart)} in its first {warmReads} reads, then {Describe(calls)} in {reads:#,0} reads "
            + $"(half by id, half by email, {Format.Rate(rate, "read")} one at a time); the keyring counted {rootCalls} root-key calls of its own meanwhile.");
        section.Details.Add(
            $"Beyond this run: an instance unwraps the keyring's {versions} live versions when it starts and again every "
            + $"{cache.MaxAge.TotalMinutes:0} minutes (or {cache.MaxUses:#,0} uses), so it stays under 1 KMS call per 1,000 reads while it serves "
            + $"more than {versions * 1000.0 / cache.MaxAge.TotalSeconds:0.0} reads a second and lives for more than {versions * 1000:#,0} reads; an "
            + "instance that starts, serves a few requests and is reclaimed pays its start-up unwrapping over those few.");
        if (perThousand > 1)
        {
            section.Notes.Add(
                $"**KMS calls per 1,000 reads** {section.Rows[^1].Verdict}: {Describe(calls)} in {reads:#,0} reads of a warm instance. "
                + "The keyring is cached for its max age or max uses; a call within that window means the cache was refreshed or bypassed.");
        }
    }

    private static AmazonKeyManagementServiceClient KmsClient(MotoKms kms, CallLog log) => new(
        new BasicAWSCredentials("local", "local"),
        new AmazonKeyManagementServiceConfig { ServiceURL = kms.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1", HttpClientFactory = log });

    private static string Describe(IReadOnlyList<CallLog.Call> calls) => calls.Count == 0
        ? "no KMS call"
        : string.Join(" and ", calls.GroupBy(c => c.Operation).Select(g => $"{g.Count()} {g.Key}"));
}
