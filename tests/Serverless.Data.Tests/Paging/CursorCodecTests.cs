using System.Text;
using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Domain;

namespace Serverless.Data.Tests.Paging;

public sealed class CursorCodecTests
{
    private static readonly TableOptions Options = new() { CursorSigningKey = "unit-test-signing-key-0123456789abcdef" };
    private static readonly Dictionary<string, string> Position = new() { ["PK"] = "S:USER#1", ["createdAt"] = "N:1700000000000" };

    [Fact]
    public void A_cursor_decodes_to_the_position_it_was_made_from()
    {
        var codec = new CursorCodec(Options);
        var cursor = codec.Encode("query-a", Position);
        Assert.Equal(Position, codec.Decode(cursor, "query-a"));
    }

    [Fact]
    public void A_cursor_with_any_character_changed_is_rejected()
    {
        var codec = new CursorCodec(Options);
        var cursor = codec.Encode("query-a", Position);
        for (var i = 0; i < cursor.Length; i++)
        {
            var chars = cursor.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            var tampered = new string(chars);
            if (tampered != cursor)
            {
                Assert.Throws<InvalidCursorException>(() => codec.Decode(tampered, "query-a"));
            }
        }
    }

    [Fact]
    public void A_cursor_with_a_rewritten_payload_and_old_signature_is_rejected()
    {
        var codec = new CursorCodec(Options);
        var cursor = codec.Encode("query-a", Position);
        var signature = cursor[(cursor.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var forgedPayload = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes("""{"q":"query-a","p":{"PK":"S:USER#2"}}"""));
        Assert.Throws<InvalidCursorException>(() => codec.Decode(forgedPayload + "." + signature, "query-a"));
    }

    [Fact]
    public void A_cursor_from_another_query_is_rejected()
    {
        var codec = new CursorCodec(Options);
        var cursor = codec.Encode("query-a", Position);
        var error = Assert.Throws<InvalidCursorException>(() => codec.Decode(cursor, "query-b"));
        Assert.Contains("another query", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cursor_signed_with_another_key_is_rejected()
    {
        var other = new CursorCodec(Options with { CursorSigningKey = "another-signing-key-0123456789abcdef!!" });
        var cursor = other.Encode("query-a", Position);
        Assert.Throws<InvalidCursorException>(() => new CursorCodec(Options).Decode(cursor, "query-a"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    public void Malformed_cursors_are_rejected(string cursor) =>
        Assert.Throws<InvalidCursorException>(() => new CursorCodec(Options).Decode(cursor, "query-a"));

    [Fact]
    public void A_short_signing_key_is_refused_at_construction() =>
        Assert.Throws<InvalidOperationException>(() => new CursorCodec(Options with { CursorSigningKey = "short" }));

    [Fact]
    public void Fingerprints_differ_when_parameters_are_split_differently() =>
        Assert.NotEqual(QueryFingerprint.Of("ab", "c"), QueryFingerprint.Of("a", "bc"));
}
