using Amazon.Runtime;

namespace Serverless.Data.Client.Faults;

/// <summary>
/// Puts a <see cref="FaultInjectingHandler"/> into any AWS client's configuration (DynamoDB, DynamoDB Streams, KMS):
/// <c>FaultInjection.Attach(config, options)</c> before the client is built.
/// </summary>
public static class FaultInjection
{
    /// <returns>The counters of what the client's handler injects.</returns>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="FaultOptions.Validate"/>).</exception>
    public static FaultCounters Attach(ClientConfig config, FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var factory = new FaultInjectingHttpClientFactory(options);
        config.HttpClientFactory = factory;
        return factory.Counters;
    }
}

/// <summary>
/// The SDK's HTTP clients with the fault handler in front of a plain <see cref="SocketsHttpHandler"/>. Every client it
/// makes shares one seeded sequence of draws and one set of counters.
/// </summary>
public sealed class FaultInjectingHttpClientFactory(FaultOptions options) : HttpClientFactory
{
    private readonly FaultDraws _draws = new(options);

    public FaultCounters Counters { get; } = new();

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
#pragma warning disable CA2000 // the HttpClient owns and disposes its handlers
        var client = new HttpClient(new FaultInjectingHandler(options, new SocketsHttpHandler(), _draws, Counters), disposeHandler: true);
#pragma warning restore CA2000
        if (clientConfig.Timeout is { } timeout)
        {
            client.Timeout = timeout;
        }

        return client;
    }

    // The SDK caches HTTP clients by configuration; one with faults must never be shared with one without.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
}
