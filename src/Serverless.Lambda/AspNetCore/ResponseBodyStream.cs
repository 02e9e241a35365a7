namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// The response is buffered whole (Lambda returns it in one document). An async write starts the response first,
/// so <c>OnStarting</c> callbacks run before the body as on Kestrel; after synchronous writes they run at the end.
/// </summary>
internal sealed class ResponseBodyStream(LambdaHttpFeatures owner) : MemoryStream
{
    public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        await owner.StartAsync(cancellationToken).ConfigureAwait(false);
        Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!owner.HasStarted)
        {
            await owner.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        Write(buffer.Span);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => owner.StartAsync(cancellationToken);

    // Apps and pipe writers may dispose the body they were given; the buffer must outlive them until the adapter reads it.
    protected override void Dispose(bool disposing)
    {
    }
}
