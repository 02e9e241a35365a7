using System.Net.Http.Headers;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Api;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Data.Table;
using Serverless.Testing;
using Serverless.Testing.Telemetry;
using Xunit;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// The real app, composed by <see cref="ApiApp"/> exactly as the local host composes it, listening on Kestrel on
/// 127.0.0.1 with a free port, over its own table in the shared DynamoDB Local. One per test class.
/// </summary>
public class ApiFixture(DynamoDbLocalFixture dynamoDb) : IAsyncLifetime
{
    public const string Subject = "test-user";

    private WebApplication? _app;

    public string TableName { get; } = "api-" + Guid.NewGuid().ToString("N");

    public HttpClient Http { get; private set; } = null!;

    /// <summary>What the server logged at warning and above; shown when a test fails on an unexpected status.</summary>
    public LogCapture Logs { get; } = new();

    public IAmazonDynamoDB DynamoDb => dynamoDb.Client;

    public Uri DynamoDbServiceUrl => dynamoDb.ServiceUrl;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("Not started.");

    public virtual async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await TableSetup.EnsureCreatedAsync(dynamoDb.Client, TableName, ct);

        var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = EnvironmentName });
        TelemetryTap.Process.Secrets.Add(PiiKind.SigningKey, CursorSigningKey);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DynamoDb:ServiceUrl"] = dynamoDb.ServiceUrl.ToString(),
            ["Table:TableName"] = TableName,
            ["Table:CursorSigningKey"] = CursorSigningKey,
            // The tests validate tokens themselves even if the machine happens to look like Lambda.
            ["Auth:TrustHostPrincipal"] = "false",
            ["Api:MaxRequestBodyBytes"] = (64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Configure(builder);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
        // Every line the app logs, as the JSON logger would write it on Lambda, for the telemetry scan.
        builder.Logging.AddProvider(TelemetryTap.Process.CreateLoggerProvider());
        foreach (var (key, value) in builder.Configuration.AsEnumerable())
        {
            if (key.EndsWith("SigningKey", StringComparison.Ordinal))
            {
                TelemetryTap.Process.Secrets.Add(PiiKind.SigningKey, value);
            }
        }

        _app = ApiApp.Build(builder);
        await _app.StartAsync(ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient(new TappedRequests { InnerHandler = new HttpClientHandler() }) { BaseAddress = new Uri(address) };
    }

    /// <summary>
    /// The host environment: Development, as the local stack runs the API, so the tests' tokens from the development
    /// key (<see cref="DevAuth"/>) are accepted; a fixture for the deployed configuration says otherwise.
    /// </summary>
    protected virtual string EnvironmentName => Microsoft.Extensions.Hosting.Environments.Development;

    /// <summary>Lets a fixture for another hosting mode add its configuration and services before the app is built.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public virtual async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Environment.GetEnvironmentVariable("API_TESTS_LOG") is { Length: > 0 } logFile)
        {
            await File.AppendAllLinesAsync(logFile, Logs.Entries, CancellationToken.None);
        }

        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        try
        {
            await dynamoDb.Client.DeleteTableAsync(TableName, CancellationToken.None);
        }
        catch (ResourceNotFoundException)
        {
            // Already gone: nothing to clean.
        }
    }

    public static string Token(params string[] scopes) => TokenFor(Subject, scopes);

    public static string TokenFor(string subject, params string[] scopes)
    {
        var token = DevAuth.CreateToken(subject, scopes, TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
        TelemetryTap.Process.Secrets.AddToken(token);
        return token;
    }

    private const string CursorSigningKey = "api-tests-cursor-signing-key-0123456789abcdef";

    public static string AllScopes => Token(Scopes.Read, Scopes.Write, Scopes.Admin);

    /// <summary>Sends a request with a bearer token (unless null) and an optional JSON body sent byte for byte.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string path,
        string? json = null,
        string? token = null,
        string? ifMatch = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Every item in the table (a Scan: tests only), to prove what was or was not written; the keyring's own items,
    /// made by the first use of the table's keys, are left out.
    /// </summary>
    public async Task<List<Dictionary<string, AttributeValue>>> ItemsAsync() =>
        [.. (await EveryItemAsync()).Where(i => i[Attr.PK].S != Serverless.Data.Privacy.Keyring.Partition)];

    /// <summary>A user's item as stored, its PII decrypted with the user's key (what a reader with the keys sees).</summary>
    public async Task<Dictionary<string, AttributeValue>> OpenedUserItemAsync(string userId)
    {
        var item = (await ItemsAsync()).Single(i => i[Attr.PK].S == "USER#" + userId && i[Attr.SK].S == "PROFILE");
        var access = Services.GetRequiredService<Serverless.Data.TableAccess>();
        return Serverless.Data.Users.UserProtection.Open(item, await access.Privacy.ForUserAsync(Guid.Parse(userId), consistent: true, TestContext.Current.CancellationToken));
    }

    /// <summary>Every item, the keyring's included.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> EveryItemAsync()
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamoDb.Client.ScanAsync(
                new ScanRequest { TableName = TableName, ExclusiveStartKey = start, ConsistentRead = true },
                TestContext.Current.CancellationToken);
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return items;
    }

    public async Task<int> CountItemsAsync() => (await ItemsAsync()).Count;
}
