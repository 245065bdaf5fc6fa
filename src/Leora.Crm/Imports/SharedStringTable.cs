using System.Text;

namespace Leora.Crm.Imports;

/// <summary>
/// The shared strings of a workbook, which its cells refer to by index, held compactly while the sheet is read: every
/// string's characters one after another in 64 KB chunks, and one offset (4 bytes) per string. A <c>List&lt;string&gt;</c>
/// spent about 40 bytes on each even when it was one character long, so a 25 MB upload of 28 million tiny strings grew
/// the service by a gigabyte (issue 11). Bounded in count and characters (<see cref="CrmOptions.MaxXlsxSharedStrings"/>,
/// <see cref="CrmOptions.MaxXlsxSharedStringChars"/>): past either, the workbook is refused.
/// </summary>
internal sealed class SharedStringTable(int maxStrings, int maxChars)
{
    // 32 Ki chars = 64 KB per chunk: under the large object heap's 85,000 bytes, and no copy of the whole table as it grows.
    private const int ChunkChars = 32 * 1024;

    private readonly List<char[]> _chunks = [];
    private readonly List<int> _starts = [];
    private int _length;

    public int Count => _starts.Count;

    /// <summary>The characters still allowed.</summary>
    public int RemainingChars => maxChars - _length;

    /// <summary>Appends one string; throws <see cref="ImportFileException"/> past a limit.</summary>
    public void Add(StringBuilder text)
    {
        if (_starts.Count >= maxStrings)
            throw new ImportFileException($"The XLSX file has more than {maxStrings:N0} shared strings (Crm:MaxXlsxSharedStrings).");
        if (text.Length > RemainingChars) throw TooManyChars();
        _starts.Add(_length);
        foreach (var chunk in text.GetChunks()) Append(chunk.Span);
    }

    private void Append(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var offset = _length % ChunkChars;
            if (offset == 0) _chunks.Add(new char[ChunkChars]);
            var n = Math.Min(text.Length, ChunkChars - offset);
            text[..n].CopyTo(_chunks[^1].AsSpan(offset));
            text = text[n..];
            _length += n;
        }
    }

    public ImportFileException TooManyChars() =>
        new($"The XLSX file's shared strings hold more than {maxChars:N0} characters (Crm:MaxXlsxSharedStringChars).");

    /// <summary>The length of string <paramref name="index"/> (in range).</summary>
    public int LengthOf(int index) => (index + 1 < _starts.Count ? _starts[index + 1] : _length) - _starts[index];

    /// <summary>String <paramref name="index"/> (in range), made anew.</summary>
    public string Get(int index)
    {
        var length = LengthOf(index);
        if (length == 0) return "";
        return string.Create(length, (Table: this, Start: _starts[index]), static (span, state) =>
        {
            var position = state.Start;
            while (!span.IsEmpty)
            {
                var offset = position % ChunkChars;
                var n = Math.Min(span.Length, ChunkChars - offset);
                state.Table._chunks[position / ChunkChars].AsSpan(offset, n).CopyTo(span);
                span = span[n..];
                position += n;
            }
        });
    }
}
