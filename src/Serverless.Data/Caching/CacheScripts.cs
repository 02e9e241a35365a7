namespace Serverless.Data.Caching;

/// <summary>
/// The Lua scripts that make each cache write atomic in Redis. Each touches one key (or keys of one hash slot), so they
/// run on ElastiCache Serverless, which is a cluster, as on a single server. They read only the ASCII header of a value
/// (<see cref="CacheEntry"/>: kind, version, owner).
/// </summary>
public static class CacheScripts
{
    /// <summary>
    /// Installs <c>ARGV[1]</c> at <c>KEYS[1]</c> for <c>ARGV[2]</c> ms unless what is there is newer. A negative entry goes
    /// only into an empty key (a write's tombstone keeps it out). A value or pointer replaces a negative entry, and an
    /// entry of the same owner at a version no newer than its own; it never replaces a tombstone or value of another owner
    /// (an email that changed hands: the newer owner's write decides). A pointer replaces another pointer (it is only a
    /// hint, verified on use). Returns 1 when installed.
    /// </summary>
    public const string Install = """
        local new = ARGV[1]
        local cur = redis.call('GET', KEYS[1])
        if cur then
          local nkind = string.sub(new, 1, 1)
          if nkind == 'N' then return 0 end
          local ckind = string.sub(cur, 1, 1)
          if ckind ~= 'N' then
            local _, _, cver, cowner = string.find(cur, '^.|(%-?%d+)|([^|]*)|')
            local _, _, nver, nowner = string.find(new, '^.|(%-?%d+)|([^|]*)|')
            if cowner ~= nowner then
              if not (ckind == 'P' and nkind == 'P') then return 0 end
            elseif tonumber(cver) > tonumber(nver) then
              return 0
            end
          end
        end
        redis.call('SET', KEYS[1], new, 'PX', ARGV[2])
        return 1
        """;

    /// <summary>
    /// A write's invalidation: puts the tombstone <c>ARGV[1]</c> (its version: the version now stored) at <c>KEYS[1]</c>
    /// for <c>ARGV[2]</c> ms, unless the key already holds something of the same owner at a newer version (a later write's
    /// tombstone, or a value read after it). A value at the tombstone's own version is replaced too: it may be a copy of
    /// the same version read before a rewrite that kept the version (a key rotation). Returns 1 when written.
    /// </summary>
    public const string Invalidate = """
        local new = ARGV[1]
        local cur = redis.call('GET', KEYS[1])
        if cur and string.sub(cur, 1, 1) ~= 'N' then
          local _, _, cver, cowner = string.find(cur, '^.|(%-?%d+)|([^|]*)|')
          local _, _, nver, nowner = string.find(new, '^.|(%-?%d+)|([^|]*)|')
          if cowner == nowner and tonumber(cver) > tonumber(nver) then return 0 end
        end
        redis.call('SET', KEYS[1], new, 'PX', ARGV[2])
        return 1
        """;

    /// <summary>
    /// Installs a list page <c>ARGV[2]</c> at <c>KEYS[2]</c> for <c>ARGV[3]</c> ms only while the list's generation
    /// (<c>KEYS[1]</c>, same hash slot) is still <c>ARGV[1]</c>, the one the page was read under: a page read before a
    /// write that bumped it is not installed after. Returns 1 when installed.
    /// </summary>
    public const string InstallPage = """
        local generation = redis.call('GET', KEYS[1]) or '0'
        if generation ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
        return 1
        """;

    /// <summary>
    /// Replaces <c>ARGV[1]</c> at <c>KEYS[1]</c> by <c>ARGV[2]</c> for <c>ARGV[3]</c> ms only if the key still holds exactly
    /// <c>ARGV[1]</c> (a pointer found wrong is replaced by the answer read after it, unless a write got there first).
    /// Returns 1 when replaced.
    /// </summary>
    public const string Replace = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """;
}
