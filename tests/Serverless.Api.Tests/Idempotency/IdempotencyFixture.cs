using System.Net;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Api.Tests.Support;
using Serverless.Data.Client;
using Serverless.Data.Table;
using Serverless.Testing;

namespace Serverless.Api.Tests.Idempotency;

/// <summary>
/// The API over its own table with a DynamoDB client whose transactions (a user's create) a test can hold at a gate
/// or fail once, so "the first request is still running" and "the first request failed" happen when the test says.
/// </summary>
public sealed class IdempotencyFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    public TransactionFaults Faults { get; } = new();

    protected override void Configure(WebApplicationBuilder builder)
    {
        var serviceUrl = DynamoDbServiceUrl.ToString();
        builder.Services.AddSingleton<IAmazonDynamoDB>(_ => DynamoDbClients.Create(serviceUrl, configure: c => c.HttpClientFactory = Faults));
    }

    /// <summary>The idempotency records in the table, as stored.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> RecordsAsync() =>
        [.. (await ItemsAsync()).Where(i => i[Attr.EntityType].S == EntityTypes.IdempotencyRecord)];

    public async Task<int> UsersAsync() => (await ItemsAsync()).Count(i => i[Attr.EntityType].S == EntityTypes.User);
}

/// <summary>Holds or fails the next TransactWriteItems the app sends; every other call passes through.</summary>
public sealed class TransactionFaults : HttpClientFactory
{
    private TaskCompletionSource? _gate;
    private TaskCompletionSource? _entered;
    private int _failNext;

    /// <summary>The next transaction waits until <see cref="Open"/>; the returned task completes when it has arrived.</summary>
    public Task HoldNext()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _entered.Task;
    }

    public void Open() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    /// <summary>The next transaction is refused with a non-retryable error (the API answers it with a 5xx).</summary>
    public void FailNext() => Volatile.Write(ref _failNext, 1);

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this, new SocketsHttpHandler()));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    private sealed class Handler(TransactionFaults faults, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.FirstOrDefault() : null;
            if (target?.EndsWith(".TransactWriteItems", StringComparison.Ordinal) ?? false)
            {
                if (Interlocked.Exchange(ref faults._failNext, 0) == 1)
                {
                    return new HttpResponseMessage(HttpStatusCode.BadRequest)
                    {
                        Content = new StringContent("""{"__type":"com.amazon.coral.validate#ValidationException","message":"injected by the test"}""", Encoding.UTF8, "application/x-amz-json-1.0"),
                    };
                }

                if (faults._gate is { } gate)
                {
                    faults._entered?.TrySetResult();
                    await gate.Task.WaitAsync(cancellationToken);
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
