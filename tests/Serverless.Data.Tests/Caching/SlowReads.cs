using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tests.Caching;

/// <summary>
/// A DynamoDB client whose reads (GetItem, Query) come back late: the answer is what the table held when it was read,
/// handed over up to <c>maxDelay</c> later. That is the window of the cache-aside race (a read that loaded an old
/// version installs it after a write's invalidation), made wide enough for a test to fall into it when the guard is missing.
/// </summary>
internal static class SlowReads
{
    public static IAmazonDynamoDB Client(DynamoDbLocalFixture dynamo, TimeSpan maxDelay)
    {
        var config = dynamo.Server.CreateConfig();
        config.HttpClientFactory = new Factory(maxDelay);
        return new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
    }

    private sealed class Factory(TimeSpan maxDelay) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(maxDelay, new SocketsHttpHandler()));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
    }

    private sealed class Handler(TimeSpan maxDelay, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.FirstOrDefault() ?? "" : "";
            var response = await base.SendAsync(request, cancellationToken);
            if (target.EndsWith(".GetItem", StringComparison.Ordinal) || target.EndsWith(".Query", StringComparison.Ordinal))
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * maxDelay.TotalMilliseconds), cancellationToken);
            }

            return response;
        }
    }
}
