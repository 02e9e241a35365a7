using Serverless.Data.Writing;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// The one way a PATCH, DELETE or restore meets If-Match. With an ETag, the change is made to that version or not at
/// all (412). With <c>*</c>, which matches whatever representation is current (RFC 9110 section 13.1.1), or with no
/// If-Match where <see cref="ApiOptions.RequireIfMatch"/> is off, the change is made to whatever is current: when
/// another write lands between our read and our conditional write, the new current state is read and the change made
/// again on it, a bounded number of times. So such a request never gets a 412 naming a version it did not send.
/// </summary>
/// <remarks>
/// A resource that does not exist is 404 under <c>*</c> as under an ETag: RFC 9110 section 13.2.1 has a server ignore
/// preconditions when the request without them would fail anyway, as a PATCH or DELETE of nothing does here (our
/// PATCH never creates; the 412 that section 13.1.1 describes for <c>*</c> matters to methods that can).
/// </remarks>
public static class ConditionalWrites
{
    /// <summary>
    /// Attempts in all for a change to whatever is current, the first included. Each round of a race has one winner,
    /// so the last of n writers racing one item needs about n attempts; 24 lets a couple of dozen concurrent writers
    /// of one item all succeed (with the delays below, at most four seconds of waiting, two on average) before one is refused.
    /// </summary>
    public const int MaxAttempts = 24;

    // Jittered, so writers that lost the same race do not all come back at once.
    private static readonly RetryOptions RaceRetry = new() { MaxAttempts = MaxAttempts, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(200) };

    // Only a lost race under "*" is retried: with the client's own ETag a conflict is the client's 412 to see.
    private static readonly RetryPolicy OnLostRace = Retries.OnException(RaceRetry, e => e is ConcurrencyException, TimeProvider.System);

    /// <param name="entity">The resource's name in messages ("User").</param>
    /// <param name="read">The current state; null when there is none (404).</param>
    /// <param name="write">
    /// Makes the change to the state read, conditional on the version given: the client's when it sent one (so a
    /// stale ETag fails, 412), else the version just read. Throws <see cref="ConcurrencyException"/> when the stored
    /// version is another.
    /// </param>
    /// <exception cref="ApiProblemException">428, 400 or 412 from the If-Match header itself (<see cref="Preconditions.ExpectedVersion"/>).</exception>
    /// <exception cref="ConflictException">Under <c>*</c>: the resource changed under every one of <see cref="MaxAttempts"/> attempts.</exception>
    public static async Task<TResult> ApplyAsync<TCurrent, TResult>(
        HttpRequest request,
        ApiOptions options,
        string entity,
        Guid id,
        Func<CancellationToken, Task<TCurrent?>> read,
        Func<TCurrent, long, CancellationToken, Task<TResult>> write,
        CancellationToken cancellationToken)
        where TCurrent : class, IEntity
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(write);
        var expected = Preconditions.ExpectedVersion(request, options);
        if (expected is { } version)
        {
            var current = await read(cancellationToken) ?? throw new NotFoundException(entity, id.ToString("D"));
            return await write(current, version, cancellationToken);
        }

        try
        {
            return await OnLostRace.ExecuteAsync(
                async token =>
                {
                    var current = await read(token) ?? throw new NotFoundException(entity, id.ToString("D"));
                    // Someone else's write may land first: theirs stays, and ours is made again on top of it.
                    return await write(current, current.Version, token);
                },
                cancellationToken);
        }
        catch (ConcurrencyException)
        {
            throw new ConflictException(
                $"{entity} '{id:D}' kept changing while this change was being applied to it ({MaxAttempts} attempts); retry the request.");
        }
    }
}
