using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Local.Streams;

namespace Serverless.Local.Ttl;

/// <summary>
/// The deletions the local TTL sweeper made, so the emulator can mark their REMOVE records the way the service marks
/// its own TTL deletions. A deletion is known by table, key and the ttl value it expired with: a later delete of a
/// re-created item with the same key but another ttl is not mistaken for it. Entries are kept for the stream's
/// 24-hour retention, because every mapping on the table reads the same REMOVE record.
/// </summary>
public sealed class TtlDeletionLog
{
    /// <summary>What the service puts in a TTL deletion's record.</summary>
    public static readonly StreamUserIdentity TtlIdentity = new() { Type = "Service", PrincipalId = "dynamodb.amazonaws.com" };

    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public TtlDeletionLog(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
    }

    public int Count => _entries.Count;

    /// <summary>Records a deletion about to be made (before the DeleteItem, so the stream can never show it first).</summary>
    public void Add(string tableName, IReadOnlyDictionary<string, AttributeValue> key, string ttl)
    {
        Prune();
        _entries[Id(tableName, CanonicalKey(key), ttl)] = _clock.GetUtcNow();
    }

    /// <summary>Forgets a deletion that did not happen (its condition failed: the ttl moved or the item is gone).</summary>
    public void Remove(string tableName, IReadOnlyDictionary<string, AttributeValue> key, string ttl) =>
        _entries.TryRemove(Id(tableName, CanonicalKey(key), ttl), out _);

    /// <summary>True when <paramref name="record"/> is the REMOVE of a deletion the sweeper made in <paramref name="tableName"/>.</summary>
    public bool IsTtlDeletion(string tableName, StreamRecord record, string ttlAttribute = TtlSweeperOptions.DefaultAttributeName)
    {
        var d = record.Dynamodb;
        if (record.EventName != "REMOVE" || d.Keys is not { ValueKind: JsonValueKind.Object } keys
            || d.OldImage is not { ValueKind: JsonValueKind.Object } old
            || !old.TryGetProperty(ttlAttribute, out var ttl) || !ttl.TryGetProperty("N", out var n))
        {
            return false;
        }

        return _entries.ContainsKey(Id(tableName, CanonicalKey(keys), n.GetString() ?? ""));
    }

    private void Prune()
    {
        var cutoff = _clock.GetUtcNow() - Retention;
        foreach (var (id, at) in _entries)
        {
            if (at < cutoff)
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    private static string Id(string table, string key, string ttl) => $"{table}\n{key}\n{ttl}";

    // Key attributes are S, N or B; both sources are canonicalised to "name=type:value" sorted by name.
    private static string CanonicalKey(IReadOnlyDictionary<string, AttributeValue> key)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in key.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var (type, text) = value switch
            {
                { S: not null } => ("S", value.S),
                { N: not null } => ("N", value.N),
                { B: not null } => ("B", Convert.ToBase64String(value.B.ToArray())),
                _ => throw new ArgumentException($"Key attribute {name} is not S, N or B.", nameof(key)),
            };
            sb.Append(name).Append('=').Append(type).Append(':').Append(text).Append('\n');
        }

        return sb.ToString();
    }

    private static string CanonicalKey(JsonElement keys)
    {
        var sb = new StringBuilder();
        foreach (var property in keys.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var typed = property.Value.EnumerateObject().FirstOrDefault();
            sb.Append(property.Name).Append('=').Append(typed.Name).Append(':').Append(typed.Value.GetString()).Append('\n');
        }

        return sb.ToString();
    }
}
