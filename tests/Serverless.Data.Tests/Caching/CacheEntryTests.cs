using System.Text;
using Serverless.Data.Caching;

namespace Serverless.Data.Tests.Caching;

public sealed class CacheEntryTests
{
    [Fact]
    public void An_entry_reads_back_with_its_header_and_a_payload_that_may_hold_the_separator()
    {
        byte[] payload = [.. "a|b|"u8, 0, 255];
        var entry = new CacheEntry(CacheEntryKind.Value, 42, "7c9e6679-7425-40de-944b-e07fc1f90ae7", 1_900_000_000_000, 3, payload);

        var back = CacheEntry.Decode(entry.Encode());

        Assert.Equal((CacheEntryKind.Value, 42L, "7c9e6679-7425-40de-944b-e07fc1f90ae7", 1_900_000_000_000L, 3L), (back.Kind, back.Version, back.Owner, back.ExpiresAtMs, back.LoadMs));
        Assert.Equal(payload, back.Payload.ToArray());
    }

    [Fact]
    public void The_header_is_what_the_redis_scripts_parse()
    {
        var entry = new CacheEntry(CacheEntryKind.Tombstone, 5, CacheEntry.NoOwner, 10, 0, ReadOnlyMemory<byte>.Empty);

        Assert.Equal("T|5|-|10|0|", Encoding.ASCII.GetString(entry.Encode()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("V|1|x|2")]
    [InlineData("X|1|x|2|3|")]
    [InlineData("V|one|x|2|3|")]
    public void A_value_this_cache_did_not_write_is_refused(string value) =>
        Assert.Throws<FormatException>(() => CacheEntry.Decode(Encoding.ASCII.GetBytes(value)));
}
