using System.Text;

namespace Serverless.Testing.Telemetry;

/// <summary>
/// A write-only stream that hands each complete line written to it to the tap, and passes every byte on to the stream
/// it wraps (if any), so a test that reads its own output still reads all of it.
/// </summary>
internal sealed class TapStream(TelemetryTap tap, string source, Stream? inner) : Stream
{
    private readonly MemoryStream _pending = new();
    private readonly Lock _lock = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_lock)
        {
            inner?.Write(buffer);
            var rest = buffer;
            while (rest.IndexOf((byte)'\n') is var end and >= 0)
            {
                _pending.Write(rest[..end]);
                Emit();
                rest = rest[(end + 1)..];
            }

            _pending.Write(rest);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        lock (_lock)
        {
            inner?.Flush();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                // A last line without its newline is still a line that was written.
                if (_pending.Length > 0)
                {
                    Emit();
                }
            }
        }

        base.Dispose(disposing);
    }

    private void Emit()
    {
        var line = Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
        _pending.SetLength(0);
        if (line.Length > 0)
        {
            tap.AddLine(source, line);
        }
    }
}
