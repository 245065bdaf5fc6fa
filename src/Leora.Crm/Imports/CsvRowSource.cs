using System.Text;

namespace Leora.Crm.Imports;

/// <summary>
/// Streams the records of a CSV file, line by line, counting physical lines so that a record's row number is the one a
/// spreadsheet shows (blank lines and the header counted; a record spanning lines is numbered by its first).
/// <para>
/// The encoding is decided by a first pass: a BOM (UTF-8, UTF-16) wins; else the file is read as UTF-8 when every byte
/// sequence is valid UTF-8, and as Windows-1252 otherwise (what Excel on Windows writes: ’, € and “ ” are bytes
/// 0x92, 0x80, 0x93/0x94 there, which Latin-1 would turn into control characters). The delimiter (comma, semicolon,
/// tab) is detected from the first line.
/// </para>
/// <para>
/// A quoted field may hold line breaks (notes keep them, as <c>\n</c>). An unterminated quote costs one row, not the
/// rest of the file: while a quoted field is open, a following line that is a plausible record on its own (closed
/// quotes, the header's number of fields, one of them an e-mail address) ends it, as does the end of the file or a
/// field running past <see cref="MaxQuotedLines"/> lines or <see cref="CrmOptions.MaxImportRowChars"/>. The record is
/// then returned with its problem (the import rejects it), and the lines after its first are read again as records
/// (at the end of the file, none of them was a plausible record: they go with the broken one).
/// </para>
/// A record is bounded in size and fields (<see cref="CrmOptions.MaxImportRowChars"/>, <see cref="CrmOptions.MaxImportColumns"/>):
/// past either, the import fails.
/// </summary>
internal sealed class CsvRowSource : IRowSource
{
    /// <summary>The most lines one quoted field may span before its quote is taken for unterminated.</summary>
    public const int MaxQuotedLines = 200;

    private readonly Stream _stream;
    private readonly StreamReader _reader;
    private readonly long _length;
    private readonly int _maxColumns;
    private readonly int _maxRowChars;
    private readonly char _separator;
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _line = new();
    // Lines read ahead while a quote was open and handed back when it proved unterminated: read again, in order.
    private readonly LinkedList<(string Text, long Number)> _again = new();
    private int _pos;
    private int _len;
    private bool _eof;
    private bool _skipLf;
    private long _lineNumber;
    private int _headerWidth = -1;

    private CsvRowSource(Stream stream, Encoding encoding, string encodingName, char separator, CrmOptions limits)
    {
        _maxColumns = limits.MaxImportColumns;
        _maxRowChars = limits.MaxImportRowChars;
        _stream = stream;
        _length = Math.Max(1, stream.Length);
        _separator = separator;
        Encoding = encodingName;
        _reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 65536);
    }

    public string Encoding { get; }

    public double Position => Math.Min(1.0, (double)_stream.Position / _length);

    /// <summary>Opens <paramref name="stream"/> (seekable; owned by the source from now on).</summary>
    public static async Task<CsvRowSource> OpenAsync(Stream stream, CrmOptions limits, CancellationToken cancellationToken)
    {
        var (encoding, name) = await DetectEncodingAsync(stream, cancellationToken);
        stream.Position = 0;
        var head = new byte[8192];
        var n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        stream.Position = 0;
        return new CsvRowSource(stream, encoding, name, DetectSeparator(encoding.GetString(head, 0, n)), limits);
    }

    public async ValueTask<ImportRow?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await NextLineAsync(cancellationToken) is not { } first) return null;
            if (string.IsNullOrWhiteSpace(first.Text)) continue;
            var record = new RecordParser(_separator);
            record.Feed(first.Text);
            List<(string Text, long Number)>? ahead = null;
            string? problem = null;
            while (record.InQuotes)
            {
                if (await NextLineAsync(cancellationToken) is not { } next)
                {
                    // No line after it was a plausible record: they all belong to this broken one, which ends the file.
                    problem = $"a quoted field opened on row {first.Number} is never closed (the file ends first{(ahead is null ? "" : $", on row {ahead[^1].Number}")})";
                    ahead = null;
                    break;
                }
                (ahead ??= []).Add(next);
                if (_headerWidth > 0 && Plausible(next.Text))
                {
                    problem = $"a quoted field opened on row {first.Number} is not closed before row {next.Number}, which starts a new record";
                    break;
                }
                if (ahead.Count > MaxQuotedLines || record.Chars + next.Text.Length > _maxRowChars)
                {
                    problem = $"a quoted field opened on row {first.Number} is not closed within {MaxQuotedLines} lines or {_maxRowChars:N0} characters";
                    break;
                }
                record.FeedLineBreak();
                record.Feed(next.Text);
            }
            string[] fields;
            if (problem is not null)
            {
                // The lines read ahead are records of their own: read them again, before anything handed back earlier.
                for (var i = ahead is null ? -1 : ahead.Count - 1; i >= 0; i--) _again.AddFirst(ahead![i]);
                var alone = new RecordParser(_separator);
                alone.Feed(first.Text);
                fields = alone.Finish();
            }
            else
            {
                fields = record.Finish();
            }
            if (fields.Length > _maxColumns)
                throw new ImportFileException($"Row {first.Number} has {fields.Length:N0} fields, more than the {_maxColumns:N0} columns an import reads (Crm:MaxImportColumns).");
            if (problem is null && _headerWidth < 0) _headerWidth = fields.Length;
            return new ImportRow(first.Number, fields, problem is null ? null : $"{problem}; check the quotes of this row");
        }
    }

    /// <summary>
    /// Whether <paramref name="line"/> reads as a whole record by itself: its quotes are closed and well placed, it has
    /// the header's number of fields, and one of them is an e-mail address. A line of a multi-line note seldom is.
    /// </summary>
    private bool Plausible(string line)
    {
        var parser = new RecordParser(_separator);
        parser.Feed(line);
        if (parser.InQuotes || parser.Stray) return false;
        var fields = parser.Finish();
        return fields.Length == _headerWidth && fields.Any(LooksLikeEmail);
    }

    private static bool LooksLikeEmail(string s)
    {
        var at = s.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && s.IndexOf('.', at) > at + 1 && !s.Any(char.IsWhiteSpace);
    }

    /// <summary>The next physical line (a line break is \r\n, \n or \r) and its number, or null at the end of the file.</summary>
    private async ValueTask<(string Text, long Number)?> NextLineAsync(CancellationToken cancellationToken)
    {
        if (_again.First is { } again)
        {
            _again.RemoveFirst();
            return again.Value;
        }
        _line.Clear();
        var any = false;
        while (true)
        {
            if (_pos == _len)
            {
                if (_eof) break;
                _len = await _reader.ReadAsync(_buffer, cancellationToken);
                _pos = 0;
                if (_len == 0)
                {
                    _eof = true;
                    break;
                }
            }
            if (_skipLf)
            {
                _skipLf = false;
                if (_buffer[_pos] == '\n')
                {
                    _pos++;
                    continue;
                }
            }
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var end = span.IndexOfAny('\r', '\n');
            any = true;
            if (end < 0)
            {
                _line.Append(span);
                _pos = _len;
                if (_line.Length > _maxRowChars) throw LineTooLong();
                continue;
            }
            _line.Append(span[..end]);
            _pos += end + 1;
            _skipLf = span[end] == '\r';
            if (_line.Length > _maxRowChars) throw LineTooLong();
            return (_line.ToString(), ++_lineNumber);
        }
        return any ? (_line.ToString(), ++_lineNumber) : null;
    }

    private ImportFileException LineTooLong() =>
        new($"Row {_lineNumber + 1} holds more than {_maxRowChars:N0} characters (Crm:MaxImportRowChars).");

    /// <summary>Comma, semicolon or tab: whichever appears most in the first line (outside quotes).</summary>
    private static char DetectSeparator(string text)
    {
        int comma = 0, semicolon = 0, tab = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (quoted) continue;
            else if (c is '\n' or '\r') break;
            else if (c == ',') comma++;
            else if (c == ';') semicolon++;
            else if (c == '\t') tab++;
        }
        return semicolon > comma && semicolon >= tab ? ';' : tab > comma ? '\t' : ',';
    }

    private static async Task<(Encoding, string)> DetectEncodingAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[3];
        var n = await stream.ReadAtLeastAsync(head, 3, throwOnEndOfStream: false, cancellationToken);
        if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) return (new UTF8Encoding(false), "utf-8");
        if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE) return (System.Text.Encoding.Unicode, "utf-16le");
        if (n >= 2 && head[0] == 0xFE && head[1] == 0xFF) return (System.Text.Encoding.BigEndianUnicode, "utf-16be");
        stream.Position = 0;
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[65536];
        var chars = new char[65537];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(bytes, cancellationToken)) > 0)
                decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
            return (new UTF8Encoding(false), "utf-8");
        }
        catch (DecoderFallbackException)
        {
            // The code pages ship with .NET (System.Text.Encoding.CodePages is part of the shared framework); the
            // provider's instance is used directly, so nothing is registered process-wide.
            return (CodePagesEncodingProvider.Instance.GetEncoding(1252)!, "windows-1252 (the file is not valid UTF-8)");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }

    /// <summary>
    /// Splits the lines of one record into fields: RFC 4180 quotes ("" is a quote inside a quoted field), fields trimmed,
    /// and leniently: a quote inside an unquoted field, or text after a closing quote, is kept as text (and noted in
    /// <see cref="Stray"/>, which a plausible record must not have).
    /// </summary>
    private sealed class RecordParser(char separator)
    {
        private readonly List<string> _fields = [];
        private readonly StringBuilder _field = new();
        private bool _atStart = true;
        private bool _afterQuote;

        public bool InQuotes { get; private set; }

        public bool Stray { get; private set; }

        public int Chars { get; private set; }

        public void Feed(string line)
        {
            Chars += line.Length;
            if (!InQuotes && line.IndexOf('"', StringComparison.Ordinal) < 0)
            {
                // The common line: no quote at all.
                var start = 0;
                while (true)
                {
                    var end = line.IndexOf(separator, start);
                    if (end < 0)
                    {
                        _field.Append(line.AsSpan(start));
                        _atStart = false;
                        return;
                    }
                    _field.Append(line.AsSpan(start, end - start));
                    EndField();
                    start = end + 1;
                }
            }
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (InQuotes)
                {
                    if (c != '"') _field.Append(c);
                    else if (i + 1 < line.Length && line[i + 1] == '"') { _field.Append('"'); i++; }
                    else { InQuotes = false; _afterQuote = true; }
                    continue;
                }
                if (c == separator)
                {
                    EndField();
                    continue;
                }
                if (_atStart)
                {
                    if (c == '"')
                    {
                        InQuotes = true;
                        _atStart = false;
                        continue;
                    }
                    if (char.IsWhiteSpace(c)) continue;
                    _atStart = false;
                }
                if (c == '"' || (_afterQuote && !char.IsWhiteSpace(c))) Stray = true;
                _field.Append(c);
            }
        }

        /// <summary>A line break inside a quoted field, kept as \n.</summary>
        public void FeedLineBreak() => _field.Append('\n');

        /// <summary>The fields (an open quoted field ends with the text read so far).</summary>
        public string[] Finish()
        {
            EndField();
            return [.. _fields];
        }

        private void EndField()
        {
            _fields.Add(_field.ToString().Trim());
            _field.Clear();
            _atStart = true;
            _afterQuote = false;
        }
    }
}
