using Serverless.Data.Users;
using Serverless.Data.Paging;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tools.Tests.Migrations;

/// <summary>
/// Readers of <see cref="PlaintextUsers"/> through the repository: each round picks a user at random and looks it up
/// by id, by email (in another case), by its own name word and by its city, counting every lookup that does not
/// return it (with the right email, name and phone) as a miss and every exception as an error (its type only).
/// </summary>
internal sealed class EncryptionLookups(UserRepository users, int userCount)
{
    private readonly Lock _gate = new();
    private readonly List<string> _problems = [];
    private long _lookups;
    private long _misses;
    private long _errors;

    public long Lookups => Interlocked.Read(ref _lookups);

    public long Misses => Interlocked.Read(ref _misses);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The first few misses and errors, by user index and kind of lookup (no PII: the fixtures' values are made up anyway).</summary>
    public string Problems
    {
        get
        {
            lock (_gate)
            {
                return string.Join("; ", _problems.Take(10));
            }
        }
    }

    /// <summary><paramref name="readers"/> tasks doing <paramref name="rounds"/> rounds each.</summary>
    public Task RunAsync(int readers, int rounds, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, readers).Select(r => ReadAsync(new Random(r + (int)Lookups), rounds, ct)));

    /// <summary><paramref name="readers"/> tasks reading until <paramref name="stop"/> is cancelled.</summary>
    public Task RunUntilAsync(int readers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, readers).Select(r => ReadAsync(new Random(1000 + r), int.MaxValue, stop)));

    private async Task ReadAsync(Random random, int rounds, CancellationToken ct)
    {
        for (var round = 0; round < rounds && !ct.IsCancellationRequested; round++)
        {
            var i = random.Next(userCount);
            var expected = PlaintextUsers.UserOf(i);
            await CheckAsync(i, "id", async () => Same(await users.GetAsync(expected.Id, CancellationToken.None), expected));
            await CheckAsync(i, "email", async () => Same(await users.GetByEmailAsync(expected.Email.ToUpperInvariant(), CancellationToken.None), expected));
            await CheckAsync(i, "name", async () =>
                (await users.SearchByNameAsync(PlaintextUsers.UniqueWord(i).ToLowerInvariant(), new PageRequest(), CancellationToken.None)).Items.Any(u => Same(u, expected)));
            if (expected.Addresses.Count > 0)
            {
                await CheckAsync(i, "city", async () =>
                    (await users.ByCityAsync(PlaintextUsers.CityOf(i).ToUpperInvariant(), new PageRequest(), CancellationToken.None)).Items.Any(u => Same(u, expected)));
            }
        }
    }

    private async Task CheckAsync(int index, string kind, Func<Task<bool>> lookup)
    {
        Interlocked.Increment(ref _lookups);
        try
        {
            if (!await lookup())
            {
                Interlocked.Increment(ref _misses);
                Note($"user {index} not found by {kind}");
            }
        }
#pragma warning disable CA1031 // Counted and reported by the test.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _errors);
            Note($"user {index} by {kind}: {e.GetType().Name}");
        }
    }

    private void Note(string problem)
    {
        lock (_gate)
        {
            _problems.Add(problem);
        }
    }

    /// <summary>The user as the lookups must return it, the phone of a v1 item read as reading upgrades it.</summary>
    private static bool Same(User? found, User expected) =>
        found is not null
        && found.Id == expected.Id
        && found.Email == expected.Email
        && found.Name == expected.Name
        && found.Phone == (expected.Phone ?? (expected.Metadata.TryGetValue(PhoneNumber.LegacyMetadataKey, out var legacy) && PhoneNumber.IsValid(legacy) ? legacy : null));
}
