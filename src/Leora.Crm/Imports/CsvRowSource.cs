using System.Text;
using CsvHelper;

namespace Leora.Crm.Imports;

/// <summary>
/// Streams CSV records with CsvHelper. The encoding is decided by a first pass: a BOM (UTF-8, UTF-16) wins; else the
/// file is read as UTF-8 when every byte sequence is valid UTF-8, and as Latin-1 otherwise (a file saved by an old
/// spreadsheet), so a stray byte never aborts an import half-way. The delimiter (comma, semicolon, tab) is detected.
/// A record is bounded in size and fields (<see cref="CrmOptions.MaxImportRowChars"/>, <see cref="CrmOptions.MaxImportColumns"/>):
/// past either, the import fails.
/// </summary>
internal sealed class CsvRowSource : IRowSource
{
    private readonly Stream _stream;
    private readonly StreamReader _reader;
    private readonly CsvReader _csv;
    private readonly long _length;
    private readonly int _maxColumns;
    private readonly int _maxRowChars;

    private CsvRowSource(Stream stream, Encoding encoding, string encodingName, char separator, CrmOptions limits)
    {
        _maxColumns = limits.MaxImportColumns;
        _maxRowChars = limits.MaxImportRowChars;
        _stream = stream;
        _length = Math.Max(1, stream.Length);
        Encoding = encodingName;
        _reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 65536);
        var options = new CsvReaderOptions
        {
            // The header is read as a record: the import maps it itself, tolerating case, spacing and aliases.
            HasHeader = false,
            Separator = separator,
            // A stray quote is recovered from, not fatal; ragged rows are allowed here and judged row by row.
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            TrimWhitespace = true,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            // An unterminated quote must not swallow the file into one field: the reader's buffer stops growing here.
            MaxRecordSize = limits.MaxImportRowChars,
        };
        _csv = CsvReader.Create(_reader, options, leaveOpen: true);
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

    public async ValueTask<(long Row, string[] Fields)?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await _csv.ReadAsync(cancellationToken)) return null;
        var record = _csv.Current;
        if (record.FieldCount > _maxColumns)
            throw new InvalidDataException($"Row {_csv.RowNumber} has {record.FieldCount:N0} fields, more than the {_maxColumns:N0} columns an import reads (Crm:MaxImportColumns).");
        var fields = record.ToArray();
        // MaxRecordSize counts input bytes and lets a record already in the buffer through: the characters are counted here.
        if (fields.Sum(f => (long)f.Length) > _maxRowChars)
            throw new InvalidDataException($"Row {_csv.RowNumber} holds more than {_maxRowChars:N0} characters (Crm:MaxImportRowChars).");
        return (_csv.RowNumber, fields);
    }

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
            return (System.Text.Encoding.Latin1, "latin-1 (the file is not valid UTF-8)");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _csv.DisposeAsync();
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
