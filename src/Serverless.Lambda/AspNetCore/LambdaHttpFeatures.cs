using System.Collections;
using System.IO.Pipelines;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Routing;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// Every server-side feature of one in-memory request in a single object, as Kestrel does, so a request costs one
/// allocation here instead of one per feature. Features set by the app or middleware go to a small overflow list.
/// </summary>
internal sealed class LambdaHttpFeatures :
    IFeatureCollection,
    IHttpRequestFeature,
    IHttpResponseFeature,
    IHttpResponseBodyFeature,
    IHttpConnectionFeature,
    ITlsConnectionFeature,
    IHttpRequestIdentifierFeature,
    IHttpAuthenticationFeature,
    IHttpRequestLifetimeFeature,
    IHttpRequestBodyDetectionFeature,
    IBadRequestExceptionFeature,
    IEndpointFeature,
    IRouteValuesFeature,
    ILambdaHttpFeature
{
    private static readonly Type[] OwnFeatures =
    [
        typeof(IHttpRequestFeature), typeof(IHttpResponseFeature), typeof(IHttpResponseBodyFeature),
        typeof(IHttpConnectionFeature), typeof(ITlsConnectionFeature), typeof(IHttpRequestIdentifierFeature), typeof(IHttpAuthenticationFeature),
        typeof(IHttpRequestLifetimeFeature), typeof(IHttpRequestBodyDetectionFeature), typeof(IBadRequestExceptionFeature),
        typeof(IEndpointFeature),
        typeof(IRouteValuesFeature), typeof(ILambdaHttpFeature),
    ];

    private readonly ResponseBodyStream responseBody;
    private List<KeyValuePair<Type, object?>>? overflow;
    private Stack<(Func<object, Task> Callback, object State)>? onStarting;
    private Stack<(Func<object, Task> Callback, object State)>? onCompleted;
    private PipeWriter? writer;
    private RouteValueDictionary? routeValues;
    private CancellationToken requestAborted;

    public LambdaHttpFeatures(ReadOnlyMemory<byte> rawEvent, ILambdaContext lambdaContext, CancellationToken requestAborted)
    {
        RawEvent = rawEvent;
        LambdaContext = lambdaContext;
        this.requestAborted = requestAborted;
        responseBody = new ResponseBodyStream(this);
    }

    // ILambdaHttpFeature
    public LambdaHttpPayloadKind Kind { get; set; }
    public ReadOnlyMemory<byte> RawEvent { get; }
    public HttpApiRequest? HttpApiRequest { get; set; }
    public RestApiRequest? RestApiRequest { get; set; }
    public AlbRequest? AlbRequest { get; set; }
    public ILambdaContext LambdaContext { get; }

    /// <summary>ALB answers in the header mode it asked in.</summary>
    public bool AlbMultiValueHeaders { get; set; }

    // IFeatureCollection
    public bool IsReadOnly => false;
    public int Revision { get; private set; }

    public object? this[Type key]
    {
        get
        {
            if (overflow is not null)
            {
                foreach (var (type, feature) in overflow)
                {
                    if (type == key)
                    {
                        return feature;
                    }
                }
            }

            return Array.IndexOf(OwnFeatures, key) >= 0 ? this : null;
        }
        set
        {
            overflow ??= new List<KeyValuePair<Type, object?>>(8);
            for (var i = 0; i < overflow.Count; i++)
            {
                if (overflow[i].Key == key)
                {
                    overflow[i] = new KeyValuePair<Type, object?>(key, value);
                    Revision++;
                    return;
                }
            }

            overflow.Add(new KeyValuePair<Type, object?>(key, value));
            Revision++;
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (var type in OwnFeatures)
        {
            if (this[type] is { } feature)
            {
                yield return new KeyValuePair<Type, object>(type, feature);
            }
        }

        if (overflow is not null)
        {
            foreach (var (type, feature) in overflow)
            {
                if (feature is not null && Array.IndexOf(OwnFeatures, type) < 0)
                {
                    yield return new KeyValuePair<Type, object>(type, feature);
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // IHttpRequestFeature
    public string Protocol { get; set; } = "HTTP/1.1";
    public string Scheme { get; set; } = "https";
    public string Method { get; set; } = "GET";
    public string PathBase { get; set; } = string.Empty;
    public string Path { get; set; } = "/";
    public string QueryString { get; set; } = string.Empty;
    public string RawTarget { get; set; } = string.Empty;
    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();
    public Stream Body { get; set; } = Stream.Null;

    // IHttpRequestBodyDetectionFeature
    public bool CanHaveBody { get; set; }

    // IBadRequestExceptionFeature: why reading the request failed, for code that only sees a 400 status.
    public Exception? Error { get; set; }

    // IHttpResponseFeature
    public int StatusCode { get; set; } = StatusCodes.Status200OK;
    public string? ReasonPhrase { get; set; }
    public IHeaderDictionary ResponseHeaders { get; private set; } = new HeaderDictionary();
    public bool HasStarted { get; private set; }

    IHeaderDictionary IHttpResponseFeature.Headers
    {
        get => ResponseHeaders;
        set => ResponseHeaders = value;
    }

    [Obsolete("Use IHttpResponseBodyFeature.Stream instead.")]
    Stream IHttpResponseFeature.Body
    {
        get => responseBody;
        set => throw new NotSupportedException("Replace IHttpResponseBodyFeature instead.");
    }

    public void OnStarting(Func<object, Task> callback, object state) =>
        (onStarting ??= new()).Push((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state) =>
        (onCompleted ??= new()).Push((callback, state));

    // IHttpResponseBodyFeature
    public Stream Stream => responseBody;

    public PipeWriter Writer => writer ??= PipeWriter.Create(responseBody, new StreamPipeWriterOptions(leaveOpen: true));

    public MemoryStream ResponseBuffer => responseBody;

    public void DisableBuffering()
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }

        HasStarted = true;
        if (onStarting is null)
        {
            return;
        }

        // Kestrel runs these last-registered first; middleware relies on that order.
        while (onStarting.TryPop(out var entry))
        {
            await entry.Callback(entry.State).ConfigureAwait(false);
        }
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(responseBody, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (writer is not null)
        {
            await writer.FlushAsync(requestAborted).ConfigureAwait(false);
        }

        await StartAsync(requestAborted).ConfigureAwait(false);
    }

    public async Task FireOnCompletedAsync()
    {
        if (onCompleted is null)
        {
            return;
        }

        while (onCompleted.TryPop(out var entry))
        {
            await entry.Callback(entry.State).ConfigureAwait(false);
        }
    }

    /// <summary>Throws away whatever the app produced, to answer with an error instead.</summary>
    public void ResetResponse(int statusCode)
    {
        StatusCode = statusCode;
        ReasonPhrase = null;
        ResponseHeaders.Clear();
        responseBody.SetLength(0);
        HasStarted = true;
        onStarting?.Clear();
    }

    // IHttpConnectionFeature
    public string ConnectionId { get; set; } = string.Empty;
    public IPAddress? RemoteIpAddress { get; set; }
    public IPAddress? LocalIpAddress { get; set; }
    public int RemotePort { get; set; }
    public int LocalPort { get; set; }

    // ITlsConnectionFeature: API Gateway ended the TLS connection; with mutual TLS it passes the client's certificate
    // on as PEM, read when the app first asks for it.
    public string? ClientCertificatePem { get; set; }

    private X509Certificate2? clientCertificate;
    private bool clientCertificateRead;

    public X509Certificate2? ClientCertificate
    {
        get
        {
            if (!clientCertificateRead)
            {
                clientCertificateRead = true;
                clientCertificate = RequestParts.ParseCertificate(ClientCertificatePem);
            }

            return clientCertificate;
        }
        set
        {
            clientCertificateRead = true;
            clientCertificate = value;
        }
    }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    // IHttpRequestIdentifierFeature
    public string TraceIdentifier { get; set; } = string.Empty;

    // IHttpAuthenticationFeature
    public ClaimsPrincipal? User { get; set; }

    // IHttpRequestLifetimeFeature
    public CancellationToken RequestAborted
    {
        get => requestAborted;
        set => requestAborted = value;
    }

    public void Abort()
    {
        // There is no connection to close: the invocation ends when the app returns.
    }

    // IEndpointFeature, IRouteValuesFeature
    public Endpoint? Endpoint { get; set; }

    public RouteValueDictionary RouteValues
    {
        get => routeValues ??= new RouteValueDictionary();
        set => routeValues = value;
    }
}
