using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serverless.Data.Client.Faults;

/// <summary>
/// Stands in the SDK's HTTP pipeline, in front of the real handler, and fails some requests the way the network or an
/// AWS JSON-protocol service (DynamoDB, DynamoDB Streams, KMS) would, so the retries above it (the SDK's and ours) are
/// tried against real failures. Used by tests and by the local stack when asked; never on AWS.
/// </summary>
public sealed class FaultInjectingHandler : DelegatingHandler
{
    private const string TargetHeader = "X-Amz-Target";

    // DynamoDB and its streams qualify their error types with the service's namespace; other JSON services (KMS) do not.
    private const string DynamoDbNamespace = "com.amazonaws.dynamodb.v20120810#";

    private readonly FaultOptions _options;
    private readonly FaultDraws _draws;

    /// <exception cref="ArgumentException">The options are invalid (<see cref="FaultOptions.Validate"/>).</exception>
    public FaultInjectingHandler(FaultOptions options, HttpMessageHandler inner)
        : this(options, inner, new FaultDraws(options), new FaultCounters())
    {
    }

    /// <summary>A handler sharing its draws and counters with others (the SDK may make an HTTP client per request).</summary>
    internal FaultInjectingHandler(FaultOptions options, HttpMessageHandler inner, FaultDraws draws, FaultCounters counters)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _draws = draws;
        Counters = counters;
    }

    public FaultCounters Counters { get; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Headers.TryGetValues(TargetHeader, out var values) ? values.FirstOrDefault() : null;
        if (_options.Operations.Count > 0 && (target is null || !_options.Operations.Contains(target)))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        Counters.CountEligible();
        if (Draw() is not { } fault || !_draws.TryTakeFault())
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        Counters.CountInjected(fault);
        switch (fault)
        {
            case FaultClass.ProvisionedThroughputExceeded:
                return Error(request, target, HttpStatusCode.BadRequest, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded (injected).");
            case FaultClass.Throttling:
                return Error(request, target, HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded (injected).");
            case FaultClass.InternalServerError:
                return Error(request, target, HttpStatusCode.InternalServerError, "InternalServerError", "Internal server error (injected).");
            case FaultClass.Timeout:
                // What HttpClient throws when its Timeout passes: the caller's token is not the one cancelled.
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout (injected).", new TimeoutException("The operation has timed out (injected)."));
            case FaultClass.ConnectionReset:
                throw ConnectionReset();
            case FaultClass.AppliedButLost:
                // The service applies the request; the answer never arrives, so the caller cannot tell this from a reset before it was sent.
                using (await base.SendAsync(request, cancellationToken).ConfigureAwait(false))
                {
                }

                throw ConnectionReset();
            default:
                throw new InvalidOperationException($"Unhandled fault class {fault}.");
        }
    }

    private FaultClass? Draw()
    {
        // One draw per request over the classes in a fixed order, so the same seed faults the same requests.
        var draw = _draws.Next();
        var upTo = 0.0;
        foreach (var fault in Enum.GetValues<FaultClass>())
        {
            upTo += _options.Rates.GetValueOrDefault(fault);
            if (draw < upTo)
            {
                return fault;
            }
        }

        return null;
    }

    private static HttpRequestException ConnectionReset() =>
        new("An error occurred while sending the request (injected).",
            new IOException("Unable to read data from the transport connection: Connection reset by peer (injected).",
                new SocketException((int)SocketError.ConnectionReset)));

    private static HttpResponseMessage Error(HttpRequestMessage request, string? target, HttpStatusCode status, string errorType, string message)
    {
        var qualified = target?.StartsWith("DynamoDB", StringComparison.Ordinal) == true ? DynamoDbNamespace + errorType : errorType;
        var mediaType = request.Content?.Headers.ContentType?.MediaType ?? "application/x-amz-json-1.0";
        var body = $$"""{"__type":"{{qualified}}","message":"{{message}}"}""";
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent(body, Encoding.UTF8, mediaType),
        };
        response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", qualified);
        response.Headers.TryAddWithoutValidation("x-amzn-RequestId", Guid.NewGuid().ToString("D"));
        return response;
    }
}
