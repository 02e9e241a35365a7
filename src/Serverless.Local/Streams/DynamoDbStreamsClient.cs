using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Local.Streams;

/// <summary>
/// A small client for the DynamoDB Streams API (JSON 1.0 over HTTP POST, SigV4-signed). The AWS SDK v4 moved its own
/// client into AWSSDK.DynamoDBStreams, which this project cannot restore, and the emulator needs only four operations.
/// </summary>
public sealed class DynamoDbStreamsClient : IDisposable
{
    /// <summary>Streams are signed with the DynamoDB signing name, against AWS and DynamoDB Local alike.</summary>
    public const string SigningName = "dynamodb";

    private const string TargetPrefix = "DynamoDBStreams_20120810.";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.0");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _endpoint;
    private readonly AwsCredentials _credentials;
    private readonly string _region;
    private readonly TimeProvider _clock;

    /// <summary>
    /// Long, because DynamoDB Local answers every request of every client on one SQLite thread, and one request can
    /// hold it for minutes (DescribeTable sums the size of every item, once for the table and once per index: 13 minutes
    /// on the large scenario).
    /// A GetRecords waiting behind it is not lost, and giving up on it undoes nothing: DynamoDB Local still runs it, so
    /// a short timeout only queues more copies (a 30 s one queued about 26 of each reader's behind that DescribeTable).
    /// A stack that went away resets the connection at once instead.
    /// </summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <param name="http">The caller's, left open on dispose; a client of its own when null.</param>
    public DynamoDbStreamsClient(Uri endpoint, AwsCredentials credentials, string region, HttpClient? http = null, TimeProvider? clock = null)
        : this(endpoint, credentials, region, http ?? new HttpClient { Timeout = DefaultTimeout }, ownsHttp: http is null, clock)
    {
    }

    private DynamoDbStreamsClient(Uri endpoint, AwsCredentials credentials, string region, HttpClient http, bool ownsHttp, TimeProvider? clock)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _region = region;
        _ownsHttp = ownsHttp;
        _http = http;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>A client for DynamoDB Local at <paramref name="serviceUrl"/> (any credentials; us-east-1).</summary>
    public static DynamoDbStreamsClient ForLocal(Uri serviceUrl) => new(serviceUrl, AwsCredentials.Local, "us-east-1");

    /// <summary>The same over <paramref name="handler"/> (a fault injector, a recorder), which the client then owns and disposes.</summary>
    public static DynamoDbStreamsClient ForLocal(Uri serviceUrl, HttpMessageHandler handler) =>
        new(serviceUrl, AwsCredentials.Local, "us-east-1", new HttpClient(handler ?? throw new ArgumentNullException(nameof(handler))) { Timeout = DefaultTimeout }, ownsHttp: true, clock: null);

    public Task<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken ct) =>
        SendAsync("ListStreams", request, StreamsJsonContext.Default.ListStreamsRequest, StreamsJsonContext.Default.ListStreamsResponse, ct);

    public Task<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken ct) =>
        SendAsync("DescribeStream", request, StreamsJsonContext.Default.DescribeStreamRequest, StreamsJsonContext.Default.DescribeStreamResponse, ct);

    /// <summary>Every shard of the stream, following ExclusiveStartShardId paging to the last page.</summary>
    public async Task<IReadOnlyList<Shard>> ListAllShardsAsync(string streamArn, CancellationToken ct)
    {
        var shards = new List<Shard>();
        string? start = null;
        do
        {
            var page = await DescribeStreamAsync(new DescribeStreamRequest { StreamArn = streamArn, ExclusiveStartShardId = start }, ct);
            shards.AddRange(page.StreamDescription.Shards);
            start = page.StreamDescription.LastEvaluatedShardId;
        }
        while (start is not null);

        return shards;
    }

    public Task<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken ct) =>
        SendAsync("GetShardIterator", request, StreamsJsonContext.Default.GetShardIteratorRequest, StreamsJsonContext.Default.GetShardIteratorResponse, ct);

    public Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken ct) =>
        SendAsync("GetRecords", request, StreamsJsonContext.Default.GetRecordsRequest, StreamsJsonContext.Default.GetRecordsResponse, ct);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        var target = TargetPrefix + operation;
        var host = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}";
        var signature = SigV4Signer.Sign(
            "POST",
            _endpoint,
            [
                new("host", host),
                new("content-type", JsonContentType.MediaType!),
                new("x-amz-target", target),
            ],
            body,
            _credentials,
            _region,
            SigningName,
            _clock.GetUtcNow());

        message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        message.Headers.TryAddWithoutValidation("X-Amz-Date", signature.AmzDate);
        message.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        if (signature.SecurityToken is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", signature.SecurityToken);
        }

        message.Content = new ByteArrayContent(body);
        message.Content.Headers.ContentType = JsonContentType;

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(bytes, response.StatusCode);
        }

        return JsonSerializer.Deserialize(bytes, responseType)
            ?? throw new DynamoDbStreamsException("InvalidResponse", $"{operation} answered with an empty body.", response.StatusCode);
    }

    private static DynamoDbStreamsException ToException(byte[] body, System.Net.HttpStatusCode status)
    {
        try
        {
            var error = JsonSerializer.Deserialize(body, StreamsJsonContext.Default.StreamsErrorResponse);
            return DynamoDbStreamsException.Create(error?.Type, error?.Message ?? error?.MessageCapitalised, status);
        }
        catch (JsonException)
        {
            // A proxy or a crashed emulator answers with HTML or plain text: keep a bounded piece of it.
            var text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)));
            return DynamoDbStreamsException.Create(null, text, status);
        }
    }
}
