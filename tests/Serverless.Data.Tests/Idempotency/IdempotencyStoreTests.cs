using System.Text;
using Serverless.Data.Idempotency;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Testing;

namespace Serverless.Data.Tests.Idempotency;

/// <summary>The claim, completion and release of records against DynamoDB Local, with the scope's hand-moved clock.</summary>
public sealed class IdempotencyStoreTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private static readonly IdempotencyOptions Options = new() { Expiry = TimeSpan.FromHours(24), InProgressTimeout = TimeSpan.FromSeconds(30) };

    private DataScope _data = null!;
    private IdempotencyStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _data = await DataScope.CreateAsync(fixture);
        _store = new IdempotencyStore(_data.Access, Options);
    }

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private static string NewRecord() => IdempotencyKeys.RecordHash("user:test", "POST", "/users/", Guid.NewGuid().ToString());

    private static StoredResponse Created(string body) =>
        new(201, new Dictionary<string, string> { ["Location"] = "/users/1", ["Content-Type"] = "application/json", ["X-Other"] = "dropped" }, Encoding.UTF8.GetBytes(body));

    private async Task<IdempotencyClaim> ClaimAsync(string record, string payload = "p1") =>
        Assert.IsType<ClaimOutcome.Claimed>(await _store.ClaimAsync(record, payload, Ct)).Claim;

    [Fact]
    public async Task A_second_claim_while_the_first_runs_is_in_progress_until_its_deadline()
    {
        var record = NewRecord();
        await ClaimAsync(record);

        var second = Assert.IsType<ClaimOutcome.InProgress>(await _store.ClaimAsync(record, "p1", Ct));
        Assert.Equal(_data.Access.Now() + Options.InProgressTimeout, second.Until);
    }

    [Fact]
    public async Task A_completed_record_replays_its_response_and_only_the_headers_that_matter()
    {
        var record = NewRecord();
        var claim = await ClaimAsync(record);
        Assert.True(await _store.CompleteAsync(claim, Created("""{"email":"ann@example.com"}"""), Ct));

        var replay = Assert.IsType<ClaimOutcome.Completed>(await _store.ClaimAsync(record, "p1", Ct)).Response;
        Assert.Equal(201, replay.StatusCode);
        Assert.Equal("""{"email":"ann@example.com"}""", Encoding.UTF8.GetString(replay.Body.Span));
        Assert.Equal(["Content-Type", "Location"], replay.Headers.Keys.Order(StringComparer.Ordinal));

        var stored = (await _data.Table.Client.GetItemAsync(_data.Table.Name, Keys.IdempotencyRecord(record).ToAttributes(), Ct)).Item;
        Assert.DoesNotContain("ann@example.com", Encoding.UTF8.GetString(stored[Attr.ResponseBody].B.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_payload_under_the_key_is_a_mismatch_running_or_completed()
    {
        var record = NewRecord();
        var claim = await ClaimAsync(record);
        Assert.IsType<ClaimOutcome.PayloadMismatch>(await _store.ClaimAsync(record, "p2", Ct));
        await _store.CompleteAsync(claim, Created("{}"), Ct);
        Assert.IsType<ClaimOutcome.PayloadMismatch>(await _store.ClaimAsync(record, "p2", Ct));
    }

    [Fact]
    public async Task A_released_record_is_claimed_again()
    {
        var record = NewRecord();
        var claim = await ClaimAsync(record);
        Assert.True(await _store.ReleaseAsync(claim, Ct));
        await ClaimAsync(record);
    }

    [Fact]
    public async Task A_claim_past_its_deadline_is_taken_over_and_the_late_request_can_neither_complete_nor_release_it()
    {
        var record = NewRecord();
        var late = await ClaimAsync(record);
        _data.Clock.Advance(Options.InProgressTimeout);

        var retry = await ClaimAsync(record);
        Assert.NotEqual(late.Token, retry.Token);
        Assert.False(await _store.CompleteAsync(late, Created("late"), Ct));
        Assert.False(await _store.ReleaseAsync(late, Ct));

        Assert.True(await _store.CompleteAsync(retry, Created("retry"), Ct));
        var replay = Assert.IsType<ClaimOutcome.Completed>(await _store.ClaimAsync(record, "p1", Ct)).Response;
        Assert.Equal("retry", Encoding.UTF8.GetString(replay.Body.Span));
    }

    [Fact]
    public async Task A_completed_record_past_its_ttl_is_claimed_again()
    {
        var record = NewRecord();
        await _store.CompleteAsync(await ClaimAsync(record), Created("{}"), Ct);
        _data.Clock.Advance(Options.Expiry);

        await ClaimAsync(record);
    }

    [Fact]
    public async Task A_body_too_large_to_keep_releases_the_record()
    {
        var record = NewRecord();
        var claim = await ClaimAsync(record);
        Assert.False(await _store.CompleteAsync(claim, Created(new string('x', IdempotencyStore.MaxStoredBodyBytes + 1)), Ct));
        await ClaimAsync(record);
    }

    [Fact]
    public void The_claimed_item_has_its_approved_shape()
    {
        var claim = new IdempotencyClaim(new string('a', 64), "0123456789abcdef0123456789abcdef", new string('b', 64));
        var item = _store.ClaimItem(Keys.IdempotencyRecord(claim.RecordHash), claim, DataScope.Start);
        Approvals.Verify("IdempotencyRecord", ItemJson.Render(item));
    }

    [Fact]
    public void An_expiry_as_long_as_the_soft_delete_retention_is_refused()
    {
        var options = new IdempotencyOptions { Expiry = _data.Access.Options.SoftDeleteRetention };
        Assert.Throws<InvalidOperationException>(() => new IdempotencyStore(_data.Access, options));
        Assert.Throws<InvalidOperationException>(() => new IdempotencyStore(_data.Access, new IdempotencyOptions { InProgressTimeout = TimeSpan.Zero }));
    }
}
