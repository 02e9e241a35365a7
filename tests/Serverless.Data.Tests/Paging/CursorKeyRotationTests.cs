using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Domain;

namespace Serverless.Data.Tests.Paging;

/// <summary>
/// Rotating the cursor key: the new key signs every new cursor, and a cursor the old key signed (a client halfway
/// through a list when the key changed) still decodes while the old key is configured as the previous one.
/// </summary>
public sealed class CursorKeyRotationTests
{
    private const string OldKey = "rotation-old-signing-key-0123456789abcdef";
    private const string NewKey = "rotation-new-signing-key-0123456789abcdef";
    private static readonly Dictionary<string, string> Position = new() { ["PK"] = "S:USER#1", ["createdAt"] = "N:1700000000000" };

    private static readonly CursorCodec BeforeRotation = new(new TableOptions { CursorSigningKey = OldKey });
    private static readonly CursorCodec DuringRotation = new(new TableOptions { CursorSigningKey = NewKey, PreviousCursorSigningKey = OldKey });
    private static readonly CursorCodec AfterRotation = new(new TableOptions { CursorSigningKey = NewKey });

    [Fact]
    public void A_cursor_signed_with_the_old_key_is_accepted_after_rotation_while_the_old_key_is_the_previous_one()
    {
        var cursor = BeforeRotation.Encode("query-a", Position);

        Assert.Equal(Position, DuringRotation.Decode(cursor, "query-a"));
    }

    [Fact]
    public void New_cursors_are_signed_with_the_current_key()
    {
        var cursor = DuringRotation.Encode("query-a", Position);

        Assert.Equal(Position, AfterRotation.Decode(cursor, "query-a"));
        Assert.Throws<InvalidCursorException>(() => BeforeRotation.Decode(cursor, "query-a"));
    }

    [Fact]
    public void Once_the_previous_key_is_removed_its_cursors_are_refused()
    {
        var cursor = BeforeRotation.Encode("query-a", Position);

        Assert.Throws<InvalidCursorException>(() => AfterRotation.Decode(cursor, "query-a"));
    }

    [Fact]
    public void A_cursor_signed_with_neither_key_is_refused_during_rotation()
    {
        var forged = new CursorCodec(new TableOptions { CursorSigningKey = "a-forgers-own-signing-key-0123456789abcdef" }).Encode("query-a", Position);

        var error = Assert.Throws<InvalidCursorException>(() => DuringRotation.Decode(forged, "query-a"));
        Assert.Contains("signature does not match", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_old_keys_cursor_rewritten_to_another_position_is_refused_during_rotation()
    {
        var cursor = BeforeRotation.Encode("query-a", Position);
        var signature = cursor[(cursor.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var other = BeforeRotation.Encode("query-a", new Dictionary<string, string> { ["PK"] = "S:USER#2" });
        var payload = other[..other.IndexOf('.', StringComparison.Ordinal)];

        Assert.Throws<InvalidCursorException>(() => DuringRotation.Decode(payload + "." + signature, "query-a"));
    }

    [Fact]
    public void A_short_previous_key_is_refused()
    {
        var options = new TableOptions { CursorSigningKey = NewKey, PreviousCursorSigningKey = "short" };

        Assert.Throws<InvalidOperationException>(() => new CursorCodec(options));
        var error = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains("PreviousCursorSigningKey must be empty or at least 32 bytes.", error.Message, StringComparison.Ordinal);
    }
}
