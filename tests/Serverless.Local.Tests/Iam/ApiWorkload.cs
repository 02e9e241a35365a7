using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Api;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Data;
using Serverless.Local.Invoke;

namespace Serverless.Local.Tests.Iam;

/// <summary>
/// The API app (<see cref="ApiApp"/>, the composition Lambda serves) with the ApiFunction's template environment,
/// on Kestrel over a test table, sent a request for every route: reads of each kind (GetItem, BatchGetItem, Queries
/// on the table and on each index), writes alone and in transactions, the conditional failures (409, 412), and
/// the idempotency records of a request with an Idempotency-Key (claimed, completed, replayed, released). The
/// DynamoDB client is the app's own, resolved from its service provider, with the recorder attached; so is its KMS
/// client, with the keyring's root key a key of moto's KMS server, as the template's FieldKey is on AWS.
/// </summary>
internal sealed class ApiWorkload : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly string _token = DevAuth.CreateToken("iam-check", [Scopes.Read, Scopes.Write, Scopes.Admin], TimeSpan.FromMinutes(30), DateTimeOffset.UtcNow);

    private ApiWorkload(WebApplication app, HttpClient http)
    {
        _app = app;
        _http = http;
    }

    public static async Task<IReadOnlyList<AwsCall>> RunAsync(DynamoDbLocalFixture dynamo, MotoKmsFixture kms, DeployedTemplate template, CancellationToken ct)
    {
        await using var table = await TestTable.CreateAsync(dynamo, withStream: false, ct);
        using var recorder = new CallRecorder(table.Name, template);
        var fieldKey = await kms.CreateKeyAsync(ct);
        await using var api = await StartAsync(dynamo, kms, fieldKey, table, recorder, ct);
        await api.EveryRouteAsync(ct);
        // The keyring as a cold function first meets it (version 1 of each key made on the empty table, then unwrapped).
        // A route that encrypts has already loaded it, and this is then served from memory with no call.
        await api._app.Services.GetRequiredService<TableAccess>().Privacy.KeysAsync(ct);
        return recorder.Calls;
    }

    private static async Task<ApiWorkload> StartAsync(DynamoDbLocalFixture dynamo, MotoKmsFixture kms, string fieldKey, TestTable table, CallRecorder recorder, CancellationToken ct)
    {
        var definition = await SamFunction.LoadAsync(RepoPaths.Of("template.yaml"), "ApiFunction", ct);
        var variables = InvokeCommand.FunctionEnvironment(definition, dynamo.ServiceUrl, table.Name, _ => null);
        // Development, as invoke runs it, so the development key's token is accepted.
        var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = variables[LocalEnvironment.DotnetVariable] });
        builder.Configuration.AddInMemoryCollection(variables.Select(v => KeyValuePair.Create<string, string?>(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DynamoDb:ServiceUrl"] = dynamo.ServiceUrl.ToString(),
            ["Table:CursorSigningKey"] = "iam-check-cursor-signing-key-0123456789abcdef",
            // On Kestrel the app validates the tokens itself (no API Gateway in front).
            ["Auth:TrustHostPrincipal"] = "false",
            // The template's FieldKey, in moto's KMS.
            ["Privacy:KmsKeyId"] = fieldKey,
            ["Privacy:KmsEndpoint"] = kms.ServiceUrl.ToString(),
        });

        // The app's own client, as its composition builds it, with the recorder attached when it is first resolved.
        var registration = builder.Services.Last(d => d.ServiceType == typeof(IAmazonDynamoDB));
        var create = registration.ImplementationFactory ?? throw new InvalidOperationException("The API registers its DynamoDB client through a factory.");
        builder.Services.AddSingleton<IAmazonDynamoDB>(sp => recorder.Attach((IAmazonDynamoDB)create(sp)));
        var kmsRegistration = builder.Services.Last(d => d.ServiceType == typeof(IAmazonKeyManagementService));
        var createKms = kmsRegistration.ImplementationFactory ?? throw new InvalidOperationException("The API registers its KMS client through a factory.");
        builder.Services.AddSingleton<IAmazonKeyManagementService>(sp => recorder.AttachKms((IAmazonKeyManagementService)createKms(sp), fieldKey));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var app = ApiApp.Build(builder);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiWorkload(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private async Task EveryRouteAsync(CancellationToken ct)
    {
        await SendAsync(HttpMethod.Get, "/health", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/health/ready", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/openapi/v1.json", null, HttpStatusCode.OK, ct);

        var tea = await CreateAsync("/products", """{"name":"Tea","price":3.5}""", ct);
        var cake = await CreateAsync("/products", """{"name":"Cake","price":4.25,"description":"Lemon"}""", ct);
        var teaTag = (await SendAsync(HttpMethod.Get, $"/products/{tea}", null, HttpStatusCode.OK, ct)).ETag;
        await SendAsync(HttpMethod.Get, "/products", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Patch, $"/products/{tea}", """{"price":3.75}""", HttpStatusCode.OK, ct, teaTag);
        await SendAsync(HttpMethod.Patch, $"/products/{tea}", """{"price":3.95}""", HttpStatusCode.PreconditionFailed, ct, teaTag);
        await SendAsync(HttpMethod.Get, $"/products/{Guid.NewGuid()}", null, HttpStatusCode.NotFound, ct);

        var email = $"ada.{Guid.NewGuid():N}@example.com";
        var user = await CreateAsync(
            "/users",
            $$"""{"email":"{{email}}","name":"Ada Lovelace","password":"correct horse battery staple","addresses":[{"type":"home","street":"12 St James's Square","city":"London","country":"GB","isDefault":true}]}""",
            ct);
        await SendAsync(HttpMethod.Post, "/users", $$"""{"email":"{{email}}","name":"Ada Again","password":"correct horse battery staple"}""", HttpStatusCode.Conflict, ct);
        var userTag = (await SendAsync(HttpMethod.Get, $"/users/{user}", null, HttpStatusCode.OK, ct)).ETag;
        await SendAsync(HttpMethod.Get, $"/users?email={Uri.EscapeDataString(email)}", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/users?status=active", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/users?city=London", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/users?createdWithinDays=7", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/users?createdWithinDays=7&status=active", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, "/users/search?q=lovelace", null, HttpStatusCode.OK, ct);
        var renamed = await SendAsync(HttpMethod.Patch, $"/users/{user}", $$"""{"name":"Ada King","email":"king.{{email}}"}""", HttpStatusCode.OK, ct, userTag);
        await SendAsync(HttpMethod.Patch, $"/users/{user}", """{"name":"Ada Byron"}""", HttpStatusCode.PreconditionFailed, ct, userTag);

        var order = await CreateAsync("/orders", $$"""{"userId":"{{user}}","items":[{"productId":"{{tea}}","quantity":2},{"productId":"{{cake}}","quantity":1}]}""", ct);
        var orderTag = (await SendAsync(HttpMethod.Get, $"/orders/{order}", null, HttpStatusCode.OK, ct)).ETag;
        await SendAsync(HttpMethod.Get, $"/orders?userId={user}", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, $"/users/{user}/orders", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, $"/products/{tea}/orders", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Patch, $"/orders/{order}", """{"status":"processing"}""", HttpStatusCode.OK, ct, orderTag);
        await SendAsync(HttpMethod.Patch, $"/orders/{order}", """{"status":"shipped"}""", HttpStatusCode.PreconditionFailed, ct, orderTag);

        var role = await CreateAsync("/roles", """{"name":"auditor","description":"Reads the trail."}""", ct);
        await SendAsync(HttpMethod.Post, "/roles", """{"name":"Auditor"}""", HttpStatusCode.Conflict, ct);
        await SendAsync(HttpMethod.Get, "/roles", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, $"/roles/{role}", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Put, $"/users/{user}/roles/{role}", null, null, ct);
        await SendAsync(HttpMethod.Get, $"/users/{user}/roles", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Get, $"/roles/{role}/users", null, HttpStatusCode.OK, ct);
        await SendAsync(HttpMethod.Delete, $"/users/{user}/roles/{role}", null, null, ct);

        foreach (var (segment, id) in new[] { ("products", tea), ("users", user), ("posts", Guid.NewGuid()) })
        {
            await SendAsync(HttpMethod.Post, $"/{segment}/{id}/comments", """{"content":"Lovely."}""", null, ct);
            await SendAsync(HttpMethod.Get, $"/{segment}/{id}/comments", null, HttpStatusCode.OK, ct);
        }

        await SendAsync(HttpMethod.Get, $"/audit/User/{user}", null, HttpStatusCode.OK, ct);

        var deleted = await SendAsync(HttpMethod.Delete, $"/users/{user}", null, null, ct, renamed.ETag);
        await SendAsync(HttpMethod.Post, $"/users/{user}/restore", null, null, ct, deleted.ETag);
        var cakeTag = (await SendAsync(HttpMethod.Get, $"/products/{cake}", null, HttpStatusCode.OK, ct)).ETag;
        await SendAsync(HttpMethod.Delete, $"/products/{cake}", null, null, ct, cakeTag);

        // Idempotency records (docs/idempotency.md): claimed and completed, replayed, and released after a refusal.
        var key = Guid.NewGuid().ToString();
        await SendAsync(HttpMethod.Post, "/products", """{"name":"Scone","price":2.5}""", HttpStatusCode.Created, ct, idempotencyKey: key);
        await SendAsync(HttpMethod.Post, "/products", """{"name":"Scone","price":2.5}""", HttpStatusCode.Created, ct, idempotencyKey: key);
        await SendAsync(HttpMethod.Post, "/users", $$"""{"email":"king.{{email}}","name":"Ada Again","password":"correct horse battery staple"}""", HttpStatusCode.Conflict, ct, idempotencyKey: key);
    }

    private async Task<Guid> CreateAsync(string path, string json, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Post, path, json, HttpStatusCode.Created, ct);
        using var body = JsonDocument.Parse(response.Body);
        return body.RootElement.GetProperty("id").GetGuid();
    }

    /// <param name="expected">The status the route must answer; null for any success (2xx).</param>
    private async Task<(string Body, string? ETag)> SendAsync(
        HttpMethod method, string path, string? json, HttpStatusCode? expected, CancellationToken ct, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var ok = expected is { } status ? response.StatusCode == status : response.IsSuccessStatusCode;
        Assert.True(ok, $"{method} {path}: expected {(expected?.ToString() ?? "success")}, got {(int)response.StatusCode}: {body}");
        return (body, response.Headers.ETag?.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
