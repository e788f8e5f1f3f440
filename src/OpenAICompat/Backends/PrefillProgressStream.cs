using System.Buffers.Text;

namespace AnyClaude.OpenAICompat.Backends;

/// <summary>
/// A read-through view of an upstream SSE body that reports mlx-lm's prefill progress: the <c>: keepalive N/M</c>
/// comments it sends while it processes the prompt (N of M prompt tokens done). SSE parsers drop comments, so they are
/// read here, off the bytes as they pass; once the first <c>data:</c> line arrives the prefill is over and the stream is
/// a plain pass-through.
/// </summary>
internal sealed class PrefillProgressStream(Stream inner, Action<int, int> onProgress) : Stream
{
    private static ReadOnlySpan<byte> KeepAlive => ": keepalive "u8;

    private static ReadOnlySpan<byte> Data => "data:"u8;

    private readonly byte[] _line = new byte[64];
    private int _lineLength;
    private bool _overflowed;
    private bool _prefillOver;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (!_prefillOver)
        {
            Scan(buffer.Span[..read]);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = inner.Read(buffer, offset, count);
        if (!_prefillOver)
        {
            Scan(buffer.AsSpan(offset, read));
        }

        return read;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is (byte)'\n' or (byte)'\r')
            {
                EndLine();
                if (_prefillOver)
                {
                    return;
                }

                continue;
            }

            if (_lineLength < _line.Length)
            {
                _line[_lineLength++] = b;
            }
            else
            {
                _overflowed = true;
            }
        }
    }

    private void EndLine()
    {
        var line = _line.AsSpan(0, _lineLength);
        if (line.StartsWith(Data))
        {
            _prefillOver = true;
        }
        else if (!_overflowed && line.StartsWith(KeepAlive) && Progress(line[KeepAlive.Length..]) is var (done, total))
        {
            onProgress(done, total);
        }

        _lineLength = 0;
        _overflowed = false;
    }

    /// <summary><c>N/M</c> as two non-negative numbers, M positive; null for anything else.</summary>
    private static (int Done, int Total)? Progress(ReadOnlySpan<byte> text)
    {
        int slash = text.IndexOf((byte)'/');
        return slash > 0
            && Utf8Parser.TryParse(text[..slash], out int done, out int doneLength) && doneLength == slash && done >= 0
            && Utf8Parser.TryParse(text[(slash + 1)..], out int total, out int totalLength) && totalLength == text.Length - slash - 1 && total > 0
            ? (done, total)
            : null;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
