namespace Leora.Crm.Imports;

/// <summary>
/// A read-only stream over one inflated XLSX part that throws <see cref="ImportFileException"/> once more than a shared
/// budget of bytes has been read, or when the part's shape would make the XML reader hold too much: a run of more than
/// <see cref="MaxMarkupBytes"/> between two '&lt;' (one tag, attribute or text that large is held whole by the reader and
/// no spreadsheet writes one: a cell holds at most 32,767 characters), or a NUL byte (never in UTF-8 XML; its presence
/// means UTF-16 or UTF-32, where the '&lt;' count would not hold).
/// </summary>
internal sealed class LimitedReadStream(Stream inner, XlsxBudget budget, string part) : Stream
{
    public const int MaxMarkupBytes = 1024 * 1024;

    private long _sinceMarkup;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Check(buffer.AsSpan(offset, n));
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Check(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Check(ReadOnlySpan<byte> read)
    {
        BytesRead += read.Length;
        budget.Spend(read.Length);
        if (read.Contains((byte)0))
            throw new ImportFileException($"The XLSX part '{part}' is not UTF-8 XML (it holds a NUL byte).");
        var first = read.IndexOf((byte)'<');
        if (first < 0)
        {
            _sinceMarkup += read.Length;
        }
        else
        {
            _sinceMarkup += first;
            TooLong();
            _sinceMarkup = read.Length - 1 - read.LastIndexOf((byte)'<');
        }
        TooLong();
    }

    private void TooLong()
    {
        if (_sinceMarkup > MaxMarkupBytes)
            throw new ImportFileException(
                $"The XLSX part '{part}' holds a tag or text of more than {MaxMarkupBytes / (1024 * 1024)} MB, which no spreadsheet writes.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
