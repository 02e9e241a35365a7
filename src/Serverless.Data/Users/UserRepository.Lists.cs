using System.Globalization;
using Serverless.Data.Caching;
using Serverless.Data.Privacy;
using Serverless.Domain.Search;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

public sealed partial class UserRepository
{
    /// <summary>Words a search may combine; each extra word costs one BatchGetItem key per candidate.</summary>
    public const int MaxSearchWords = 5;

    // Bounds the work of one search page when the driving word is common and full matches are rare;
    // the cursor then continues where the page stopped.
    private const int MaxSearchRounds = 10;

    /// <summary>
    /// Users created in the last <paramref name="days"/> days, newest first (the seed's "recent active users").
    /// Reads each month partition (times each write shard) from now back to the cut-off and merges them.
    /// </summary>
    public async Task<Page<User>> RecentAsync(int days, UserStatus? status, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = new FieldErrorCollector();
        if (days < 1 || days > Access.Options.MaxRecentDays)
        {
            errors.Add("days", $"must be between 1 and {Access.Options.MaxRecentDays}.");
        }

        RejectDeletedStatus(status, errors);
        errors.ThrowIfAny();
        var limit = PageLimits.Resolve(page.Limit, Access.Options);
        var shards = Access.Options.CreatedDateShards;
        var fingerprint = QueryFingerprint.Of("users.recent", Invariant(days), status?.ToName(), Invariant(shards));

        // The cut-off is fixed by the first page and travels in the cursor, so later pages do not shift with the clock.
        var now = Access.Now();
        var cutoff = now.AddDays(-days);
        RecentPosition? after = null;
        if (page.Cursor is not null)
        {
            var position = Access.Cursors.Decode(page.Cursor, fingerprint);
            after = RecentPosition.From(position);
            cutoff = DateTimeOffset.FromUnixTimeMilliseconds(after.CutoffMs);
        }

        var collected = new List<Dictionary<string, AttributeValue>>();
        var newest = after is null ? now : DateTimeOffset.FromUnixTimeMilliseconds(after.CreatedAtMs);
        foreach (var month in CreatedDatePartitions.MonthsNewestFirst(newest, cutoff))
        {
            var need = limit + 1 - collected.Count;
            var queries = Enumerable.Range(0, shards)
                .Select(shard => RecentQuery(CreatedDatePartitions.Month(month, shard, shards), cutoff, after, status, now))
                .ToList();
            collected.AddRange(await Access.Merged.FetchAsync(queries, item => after is null || after.Precedes(item), CompareNewestFirst, need, cancellationToken).ConfigureAwait(false));
            if (collected.Count > limit)
            {
                break;
            }
        }

        var users = await OpenManyAsync(collected.Take(limit).ToList(), cancellationToken).ConfigureAwait(false);
        var next = collected.Count > limit
            ? Access.Cursors.Encode(fingerprint, new RecentPosition(cutoff.ToUnixTimeMilliseconds(), users[^1].CreatedAt.ToUnixTimeMilliseconds(), users[^1].Id).ToPosition())
            : null;
        return new Page<User>(users, next);
    }

    /// <summary>Users with a status (not deleted), newest first, merged across the status partition's shards.</summary>
    public async Task<Page<User>> ByStatusAsync(UserStatus status, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = new FieldErrorCollector();
        errors.Defined("status", status, EnumNames.UserStatus);
        RejectDeletedStatus(status, errors);
        errors.ThrowIfAny();
        var limit = PageLimits.Resolve(page.Limit, Access.Options);
        var shards = Access.Options.CreatedDateShards;
        var fingerprint = QueryFingerprint.Of("users.status", status.ToName(), Invariant(shards));
        string? afterSort = null;
        if (page.Cursor is not null)
        {
            var position = Access.Cursors.Decode(page.Cursor, fingerprint);
            afterSort = position.TryGetValue(Attr.Gsi1SK, out var sort) && position.Count == 1
                ? sort
                : throw new InvalidCursorException("The cursor does not fit this query.");
        }

        // The seed's users:active:page:{page} cache holds the active list's pages (off unless a cache is configured).
        var loaded = status == UserStatus.Active
            ? await Cache.GetActivePageAsync(UserCache.PageId(limit, page.Cursor), LoadAsync, cancellationToken).ConfigureAwait(false)
            : await LoadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Page<User>(await OpenManyAsync([.. loaded.Items], cancellationToken).ConfigureAwait(false), loaded.NextCursor);
        }
        catch (FieldDecryptionException) when (Cache.IsEnabled && status == UserStatus.Active)
        {
            // A cached page whose copy no longer opens (a key version retired since): the table's page instead.
            loaded = await LoadAsync(cancellationToken).ConfigureAwait(false);
            return new Page<User>(await OpenManyAsync([.. loaded.Items], cancellationToken).ConfigureAwait(false), loaded.NextCursor);
        }

        async Task<CachedPage> LoadAsync(CancellationToken ct)
        {
            var now = Access.Now();
            var queries = Enumerable.Range(0, shards).Select(shard =>
            {
                var request = new QueryRequest
                {
                    TableName = Table,
                    IndexName = IndexNames.Gsi1,
                    KeyConditionExpression = afterSort is null ? "#pk = :pk" : "#pk = :pk AND #sk < :after",
                    ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK },
                    ExpressionAttributeValues = new() { [":pk"] = Av.S(IndexKeys.UsersByStatus(status, shard, shards)) },
                    ScanIndexForward = false,
                };
                if (afterSort is not null)
                {
                    request.ExpressionAttributeNames["#sk"] = Attr.Gsi1SK;
                    request.ExpressionAttributeValues[":after"] = Av.S(afterSort);
                }

                return request.ExcludeExpired(now);
            }).ToList();

            var items = await Access.Merged.FetchAsync(
                queries,
                _ => true,
                (a, b) => string.CompareOrdinal(b[Attr.Gsi1SK].S, a[Attr.Gsi1SK].S),
                limit + 1,
                ct).ConfigureAwait(false);

            var pageItems = items.Take(limit).ToList();
            var next = items.Count > limit
                ? Access.Cursors.Encode(fingerprint, new Dictionary<string, string> { [Attr.Gsi1SK] = pageItems[^1][Attr.Gsi1SK].S })
                : null;
            return new CachedPage(pageItems, next);
        }
    }

    /// <summary>Users with an address in the city (case and spacing ignored), in id order.</summary>
    public async Task<Page<User>> ByCityAsync(string city, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var normalized = CityName.Normalize(city ?? "");
        if (normalized.Length == 0 || normalized.Length > Limits.MaxString)
        {
            throw new ValidationException([new FieldError("city", $"is required and at most {Limits.MaxString} characters.")]);
        }

        var snapshot = await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var partitions = UserProtection.LookupVersions(snapshot, Access.Options.PlaintextLookups)
            .Select(v => IndexKeys.City(UserProtection.CityToken(snapshot, v, normalized)))
            .ToList();
        var ids = await TermPageAsync(partitions, QueryFingerprint.Of("users.city", normalized), page, cancellationToken).ConfigureAwait(false);
        var users = await LoadUsersAsync(ids.Items, cancellationToken).ConfigureAwait(false);
        return new Page<User>(users, ids.NextCursor);
    }

    /// <summary>
    /// The seed's full-text search on names: users whose name contains every word of <paramref name="query"/>
    /// (after the same tokenizing and stemming as indexing), in id order.
    /// </summary>
    public async Task<Page<User>> SearchByNameAsync(string query, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var terms = SearchTerms.Of(query);
        if (terms.Count == 0 || terms.Count > MaxSearchWords)
        {
            throw new ValidationException([new FieldError("q", $"must contain 1 to {MaxSearchWords} words.")]);
        }

        var limit = PageLimits.Resolve(page.Limit, Access.Options);
        // The longest stem drives the Query: a cheap guess at the rarest word, so fewer candidates need checking.
        var driver = terms.OrderByDescending(t => t.Length).First();
        var others = terms.Where(t => t != driver).ToList();
        var fingerprint = QueryFingerprint.Of("users.search", string.Join(' ', terms.Order(StringComparer.Ordinal)));
        var snapshot = await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var versions = UserProtection.LookupVersions(snapshot, Access.Options.PlaintextLookups);
        var partitions = versions.Select(v => IndexKeys.Word(UserProtection.WordToken(snapshot, v, driver))).ToList();
        var after = DecodeTermCursor(page.Cursor, fingerprint);

        var matches = new List<Guid>();
        string? resumeAfter = null;
        for (var round = 0; round < MaxSearchRounds; round++)
        {
            var candidates = await TermCandidatesAsync(partitions, after, limit, cancellationToken).ConfigureAwait(false);
            var complete = await WithAllWordsAsync([.. candidates.Select(c => c.UserId)], others, snapshot, versions, cancellationToken).ConfigureAwait(false);
            var stoppedEarly = false;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (complete.Contains(candidates[i].UserId))
                {
                    matches.Add(candidates[i].UserId);
                }

                if (matches.Count == limit)
                {
                    // Resume after this candidate, unless it was the last one of the index partitions.
                    resumeAfter = i < candidates.Count - 1 || candidates.Count == limit ? candidates[i].Sort : null;
                    stoppedEarly = true;
                    break;
                }
            }

            if (stoppedEarly)
            {
                break;
            }

            if (candidates.Count < limit)
            {
                // Every candidate of the index partitions has been seen.
                resumeAfter = null;
                break;
            }

            after = candidates[^1].Sort;
            resumeAfter = after;
        }

        var users = await LoadUsersAsync(matches, cancellationToken).ConfigureAwait(false);
        var next = resumeAfter is null ? null : Access.Cursors.Encode(fingerprint, new Dictionary<string, string> { [Attr.Gsi1SK] = resumeAfter });
        return new Page<User>(users, next);
    }

    /// <summary>
    /// One page of the user ids found under a term, merged across the term's partitions (one per blind version a
    /// lookup tries), in id order, each user once; the cursor is the last user's index sort key.
    /// </summary>
    private async Task<Page<Guid>> TermPageAsync(IReadOnlyList<string> partitions, string fingerprint, PageRequest page, CancellationToken cancellationToken)
    {
        var limit = PageLimits.Resolve(page.Limit, Access.Options);
        var after = DecodeTermCursor(page.Cursor, fingerprint);
        var found = await TermCandidatesAsync(partitions, after, limit + 1, cancellationToken).ConfigureAwait(false);
        var pageItems = found.Take(limit).ToList();
        var next = found.Count > limit ? Access.Cursors.Encode(fingerprint, new Dictionary<string, string> { [Attr.Gsi1SK] = pageItems[^1].Sort }) : null;
        return new Page<Guid>([.. pageItems.Select(c => c.UserId)], next);
    }

    /// <summary>Up to <paramref name="need"/> distinct users under the partitions, after <paramref name="afterSort"/>, in id order.</summary>
    private async Task<List<(Guid UserId, string Sort)>> TermCandidatesAsync(IReadOnlyList<string> partitions, string? afterSort, int need, CancellationToken cancellationToken)
    {
        var now = Access.Now();
        var queries = partitions.Select(partition =>
        {
            var request = new QueryRequest
            {
                TableName = Table,
                IndexName = IndexNames.Gsi1,
                KeyConditionExpression = afterSort is null ? "#pk = :pk" : "#pk = :pk AND #sk > :after",
                ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK },
                ExpressionAttributeValues = new() { [":pk"] = Av.S(partition) },
            };
            if (afterSort is not null)
            {
                request.ExpressionAttributeNames["#sk"] = Attr.Gsi1SK;
                request.ExpressionAttributeValues[":after"] = Av.S(afterSort);
            }

            return request.ExcludeExpired(now);
        }).ToList();
        var items = await Access.Merged.FetchAsync(queries, _ => true, (a, b) => string.CompareOrdinal(a[Attr.Gsi1SK].S, b[Attr.Gsi1SK].S), need * partitions.Count, cancellationToken)
            .ConfigureAwait(false);
        return [.. items
            .Select(i => (UserId: UserIndexItemMapper.UserIdOf(i), Sort: i[Attr.Gsi1SK].S))
            .DistinctBy(c => c.UserId)
            .Take(need)];
    }

    private string? DecodeTermCursor(string? cursor, string fingerprint)
    {
        if (cursor is null)
        {
            return null;
        }

        var position = Access.Cursors.Decode(cursor, fingerprint);
        return position.TryGetValue(Attr.Gsi1SK, out var sort) && position.Count == 1
            ? sort
            : throw new InvalidCursorException("The cursor does not fit this query.");
    }

    /// <summary>The candidates that also have a word item for each of <paramref name="otherWords"/>, under any version tried (exact-key reads, no Query).</summary>
    private async Task<HashSet<Guid>> WithAllWordsAsync(
        List<Guid> candidates, List<string> otherWords, KeyringSnapshot snapshot, IReadOnlyList<int> versions, CancellationToken cancellationToken)
    {
        if (otherWords.Count == 0 || candidates.Count == 0)
        {
            return [.. candidates];
        }

        var found = await Access.Reads.BatchGetAsync(
            Table,
            candidates.SelectMany(id => otherWords.SelectMany(word => versions.Select(v => Keys.UserWord(id, UserProtection.WordToken(snapshot, v, word))))),
            cancellationToken).ConfigureAwait(false);
        return [.. candidates.Where(id => otherWords.All(word => versions.Any(v => found.ContainsKey(Keys.UserWord(id, UserProtection.WordToken(snapshot, v, word))))))];
    }

    /// <summary>The users in the given order, skipping any that vanished, expired or were deleted in between.</summary>
    private async Task<List<User>> LoadUsersAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var order = ids.Distinct().ToList();
        if (order.Count == 0)
        {
            return [];
        }

        var items = await Access.Reads.BatchGetAsync(Table, order.Select(Keys.User), cancellationToken).ConfigureAwait(false);
        var present = order.Where(id => items.ContainsKey(Keys.User(id))).Select(id => items[Keys.User(id)]).ToList();
        return [.. (await OpenManyAsync(present, cancellationToken).ConfigureAwait(false)).Where(u => u.Status != UserStatus.Deleted)];
    }

    private QueryRequest RecentQuery(string partition, DateTimeOffset cutoff, RecentPosition? after, UserStatus? status, DateTimeOffset now)
    {
        var request = new QueryRequest
        {
            TableName = Table,
            IndexName = IndexNames.CreatedDate,
            // Inclusive upper bound: users created in the same millisecond as the cursor's last user are
            // separated by id in code (RecentPosition.Precedes).
            KeyConditionExpression = after is null ? "#ym = :ym AND #ca >= :from" : "#ym = :ym AND #ca BETWEEN :from AND :to",
            ExpressionAttributeNames = new() { ["#ym"] = Attr.YearMonth, ["#ca"] = Attr.CreatedAt },
            ExpressionAttributeValues = new()
            {
                [":ym"] = Av.S(partition),
                [":from"] = Av.Time(cutoff),
            },
            ScanIndexForward = false,
        };
        if (after is not null)
        {
            request.ExpressionAttributeValues[":to"] = Av.N(after.CreatedAtMs);
        }

        if (status is { } wanted)
        {
            request.FilterExpression = "#status = :status";
            request.ExpressionAttributeNames["#status"] = Attr.Status;
            request.ExpressionAttributeValues[":status"] = Av.S(wanted.ToName());
        }

        return request.ExcludeExpired(now);
    }

    /// <summary>Newest first; equal creation times ordered by id (descending) so the order is total and pages never overlap.</summary>
    private static int CompareNewestFirst(Dictionary<string, AttributeValue> a, Dictionary<string, AttributeValue> b)
    {
        var byTime = new ItemReader(b).Long(Attr.CreatedAt).CompareTo(new ItemReader(a).Long(Attr.CreatedAt));
        return byTime != 0 ? byTime : string.CompareOrdinal(b[Attr.Id].S, a[Attr.Id].S);
    }

    private static void RejectDeletedStatus(UserStatus? status, FieldErrorCollector errors)
    {
        if (status == UserStatus.Deleted)
        {
            errors.Add("status", "deleted users are not listed; they leave the indexes when deleted.");
        }
    }

    private static Dictionary<string, AttributeValue> KeyOf(Dictionary<string, AttributeValue> item, IReadOnlyList<string> keyNames) =>
        keyNames.ToDictionary(name => name, name => item[name], StringComparer.Ordinal);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where a "recent users" page ended: the fixed cut-off and the last user returned.</summary>
    private sealed record RecentPosition(long CutoffMs, long CreatedAtMs, Guid UserId)
    {
        private const string Cutoff = "cutoff";
        private const string At = "at";
        private const string Id = "id";

        public Dictionary<string, string> ToPosition() => new(StringComparer.Ordinal)
        {
            [Cutoff] = CutoffMs.ToString(CultureInfo.InvariantCulture),
            [At] = CreatedAtMs.ToString(CultureInfo.InvariantCulture),
            [Id] = UserId.ToString("D"),
        };

        public static RecentPosition From(IReadOnlyDictionary<string, string> position) =>
            position.Count == 3
            && position.TryGetValue(Cutoff, out var cutoff) && long.TryParse(cutoff, NumberStyles.None, CultureInfo.InvariantCulture, out var cutoffMs)
            && position.TryGetValue(At, out var at) && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var atMs)
            && position.TryGetValue(Id, out var id) && Guid.TryParseExact(id, "D", out var userId)
                ? new RecentPosition(cutoffMs, atMs, userId)
                : throw new InvalidCursorException("The cursor does not fit this query.");

        /// <summary>True when the item comes after this position in newest-first order.</summary>
        public bool Precedes(Dictionary<string, AttributeValue> item)
        {
            var createdAt = new ItemReader(item).Long(Attr.CreatedAt);
            return createdAt < CreatedAtMs
                || (createdAt == CreatedAtMs && string.CompareOrdinal(item[Attr.Id].S, UserId.ToString("D")) < 0);
        }
    }
}
