using Microsoft.AspNetCore.Http;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// The body of an event marked <c>isBase64Encoded</c> whose body is not base64 (seen only in hand-edited events).
/// The request still reaches the app, like a request with a malformed body on Kestrel: headers, query and claims are
/// usable, a route that reads no body answers as usual, and reading the body fails with a 400 instead of handing the
/// app bytes nobody sent. The failure is also left in <see cref="Microsoft.AspNetCore.Http.Features.IBadRequestExceptionFeature"/>,
/// as Kestrel does, because minimal APIs' body binding answers 400 without rethrowing it.
/// </summary>
internal sealed class InvalidBase64BodyStream(LambdaHttpFeatures features) : Stream
{
    public const string Message = "the request body is marked base64 (isBase64Encoded) but is not valid base64.";

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw Fail();

    public override int Read(Span<byte> buffer) => throw Fail();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromException<int>(Fail());

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromException<int>(Fail());

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private BadHttpRequestException Fail()
    {
        var exception = new BadHttpRequestException(Message, StatusCodes.Status400BadRequest);
        features.Error = exception;
        return exception;
    }
}
