using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Data.Tools.Tests.Rotation;

/// <summary>
/// A few concurrent readers looking random users up by email and by id through the repository, as the API does,
/// counting the lookups that found no user or another one (misses) and those that failed (errors).
/// </summary>
internal sealed class LookupLoop(UserRepository users, IReadOnlyList<User> known)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];
    private long[] _done = [];
    private long _misses;
    private long _errors;
    private string? _firstError;

    public long Misses => Interlocked.Read(ref _misses);

    public long Errors => Interlocked.Read(ref _errors);

    public long Done => Enumerable.Range(0, _done.Length).Sum(i => Interlocked.Read(ref _done[i]));

    /// <summary>The first error's type and message (they never carry PII: errors name items and fields only).</summary>
    public string? FirstError => _firstError;

    public void Start(int readers)
    {
        _done = new long[readers];
        for (var i = 0; i < readers; i++)
        {
            var reader = i;
            _readers.Add(Task.Run(() => ReadAsync(reader)));
        }
    }

    /// <summary>Returns once every reader has finished a lookup it began after this call.</summary>
    public async Task EachReaderFinishesOneMoreAsync(CancellationToken ct)
    {
        var now = _done.Select((_, i) => Interlocked.Read(ref _done[i])).ToArray();
        while (Enumerable.Range(0, now.Length).Any(i => Interlocked.Read(ref _done[i]) < now[i] + 2))
        {
            await Task.Delay(5, ct);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
        _stop.Dispose();
    }

    private async Task ReadAsync(int reader)
    {
        var random = new Random(reader);
        while (!_stop.IsCancellationRequested)
        {
            var user = known[random.Next(known.Count)];
            try
            {
                // Not the stop token: a lookup cut short would count as neither found nor missed.
                var byEmail = await users.GetByEmailAsync(user.Email, CancellationToken.None);
                var byId = await users.GetAsync(user.Id, CancellationToken.None);
                if (byEmail?.Id != user.Id || byId?.Email != user.Email)
                {
                    Interlocked.Increment(ref _misses);
                }
            }
#pragma warning disable CA1031 // Every failure is counted: the test asserts there are none.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, e.GetType().Name + ": " + e.Message, null);
            }

            Interlocked.Increment(ref _done[reader]);
            // A reader's pace, not a load test: the backfill shares the endpoint's few cores with the readers.
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
