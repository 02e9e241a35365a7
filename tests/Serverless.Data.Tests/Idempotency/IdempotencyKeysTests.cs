using Serverless.Data.Idempotency;

namespace Serverless.Data.Tests.Idempotency;

public sealed class IdempotencyKeysTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("550e8400-e29b-41d4-a716-446655440000", true)]
    [InlineData("with space and ~!", true)]
    [InlineData("", false)]
    [InlineData("tab\there", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("caf\u00e9", false)]
    [InlineData("del\u007f", false)]
    public void A_key_is_1_to_255_printable_ascii_characters(string key, bool valid) =>
        Assert.Equal(valid, IdempotencyKeys.IsValidKey(key));

    [Fact]
    public void A_key_of_255_characters_is_valid_and_one_of_256_is_not()
    {
        Assert.True(IdempotencyKeys.IsValidKey(new string('k', 255)));
        Assert.False(IdempotencyKeys.IsValidKey(new string('k', 256)));
        Assert.False(IdempotencyKeys.IsValidKey(null));
    }

    [Fact]
    public void The_record_hash_depends_on_each_part_and_names_none_of_them()
    {
        var hash = IdempotencyKeys.RecordHash("user:alice", "POST", "/users/", "key-1");
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, IdempotencyKeys.RecordHash("user:alice", "post", "/users/", "key-1"));
        Assert.NotEqual(hash, IdempotencyKeys.RecordHash("user:bob", "POST", "/users/", "key-1"));
        Assert.NotEqual(hash, IdempotencyKeys.RecordHash("user:alice", "PATCH", "/users/", "key-1"));
        Assert.NotEqual(hash, IdempotencyKeys.RecordHash("user:alice", "POST", "/orders/", "key-1"));
        Assert.NotEqual(hash, IdempotencyKeys.RecordHash("user:alice", "POST", "/users/", "key-2"));
        Assert.DoesNotContain("alice", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Parts_cannot_run_into_each_other()
    {
        Assert.NotEqual(IdempotencyKeys.RecordHash("ab", "POST", "/x", "c"), IdempotencyKeys.RecordHash("a", "POST", "/x", "bc"));
        Assert.NotEqual(IdempotencyKeys.PayloadHash("/x", "ab", "c"u8), IdempotencyKeys.PayloadHash("/x", "a", "bc"u8));
        Assert.NotEqual(IdempotencyKeys.PayloadHash("/x?a", null, "b"u8), IdempotencyKeys.PayloadHash("/x?", null, "ab"u8));
    }

    [Fact]
    public void The_payload_hash_covers_the_target_the_precondition_and_every_body_byte()
    {
        var hash = IdempotencyKeys.PayloadHash("/users/1", "\"3\"", """{"name":"Ann"}"""u8);
        Assert.Equal(hash, IdempotencyKeys.PayloadHash("/users/1", "\"3\"", """{"name":"Ann"}"""u8));
        Assert.NotEqual(hash, IdempotencyKeys.PayloadHash("/users/2", "\"3\"", """{"name":"Ann"}"""u8));
        Assert.NotEqual(hash, IdempotencyKeys.PayloadHash("/users/1", "\"4\"", """{"name":"Ann"}"""u8));
        Assert.NotEqual(hash, IdempotencyKeys.PayloadHash("/users/1", "\"3\"", """{"name":"Ann "}"""u8));
        Assert.DoesNotContain("Ann", hash, StringComparison.Ordinal);
    }
}
