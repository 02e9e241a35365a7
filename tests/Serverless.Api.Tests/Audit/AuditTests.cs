using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Data.Audit;
using Serverless.Domain.Audit;
using Xunit;

namespace Serverless.Api.Tests.Audit;

public sealed class AuditTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task An_admin_reads_a_records_history_newest_first()
    {
        // The audit stream function is not part of these tests; its entries are written as it would write them.
        var recordId = Guid.NewGuid().ToString("D");
        var audit = api.Services.GetRequiredService<AuditRepository>();
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        await audit.WriteAsync(Entry(recordId, AuditAction.Insert, start, null, "{\"name\":\"a\"}"), TestContext.Current.CancellationToken);
        await audit.WriteAsync(Entry(recordId, AuditAction.Update, start.AddMinutes(1), "{\"name\":\"a\"}", "{\"name\":\"b\"}"), TestContext.Current.CancellationToken);

        var history = await api.GetOkAsync($"/audit/Product/{recordId}");
        var items = history.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["UPDATE", "INSERT"], items.Select(i => i.GetProperty("action").GetString()));
        Assert.Equal("b", items[0].GetProperty("newValues").GetProperty("name").GetString());
        Assert.Equal("auditor", items[0].GetProperty("changedBy").GetString());
    }

    [Fact]
    public async Task Changes_that_share_a_time_read_newest_first_in_the_order_of_the_stream()
    {
        // The stream stamps whole seconds (DynamoDB Local whole minutes): its sequence number keeps the order.
        var recordId = Guid.NewGuid().ToString("D");
        var audit = api.Services.GetRequiredService<AuditRepository>();
        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await audit.WriteAsync(Entry(recordId, AuditAction.Delete, at, "{\"name\":\"b\"}", null) with { EventId = "a", SequenceNumber = "1002" }, TestContext.Current.CancellationToken);
        await audit.WriteAsync(Entry(recordId, AuditAction.Update, at, "{\"name\":\"a\"}", "{\"name\":\"b\"}") with { EventId = "b", SequenceNumber = "1001" }, TestContext.Current.CancellationToken);
        await audit.WriteAsync(Entry(recordId, AuditAction.Insert, at, null, "{\"name\":\"a\"}") with { EventId = "c", SequenceNumber = "999" }, TestContext.Current.CancellationToken);

        var history = await api.GetOkAsync($"/audit/Product/{recordId}");

        Assert.Equal(["DELETE", "UPDATE", "INSERT"], history.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Reading_history_without_the_admin_scope_returns_403()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", token: ApiFixture.Token(Scopes.Read, Scopes.Write));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reading_history_without_a_token_returns_401()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unknown_entity_type_returns_400()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/audit/Spaceship/{Guid.NewGuid()}", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("entityType");
    }

    [Fact]
    public async Task A_tampered_history_cursor_returns_400()
    {
        var recordId = Guid.NewGuid().ToString("D");
        var audit = api.Services.GetRequiredService<AuditRepository>();
        for (var i = 0; i < 2; i++)
        {
            await audit.WriteAsync(Entry(recordId, AuditAction.Update, DateTimeOffset.UtcNow.AddSeconds(-i), "{}", "{}"), TestContext.Current.CancellationToken);
        }

        var cursor = (await api.GetOkAsync($"/audit/Product/{recordId}?limit=1")).GetProperty("nextCursor").GetString()!;
        using var response = await api.SendAsync(HttpMethod.Get, $"/audit/User/{recordId}?limit=1&cursor={Uri.EscapeDataString(cursor)}", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("cursor");
    }

    private static AuditEntry Entry(string recordId, AuditAction action, DateTimeOffset at, string? oldValues, string? newValues) => new()
    {
        EntityType = "Product",
        RecordId = recordId,
        Action = action,
        ChangedBy = "auditor",
        ChangedAt = at,
        OldValues = oldValues,
        NewValues = newValues,
        EventId = Guid.NewGuid().ToString("N"),
        SequenceNumber = "1",
    };
}
