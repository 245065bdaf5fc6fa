using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Leora.Crm.Imports;

/// <summary>
/// Streams the rows of an XLSX workbook's first sheet with an <see cref="XmlReader"/> over the ZIP entry, never loading
/// the sheet (the shared strings are loaded, compactly: a sheet refers to them by index). Guarded by <see cref="XlsxGuard"/>
/// before, and while reading by a byte budget and by bounds on what is held: the shared strings' count and characters, a
/// row's columns and characters, one tag's size (<see cref="LimitedReadStream"/>). Whatever the file's shape, an import
/// holds a bounded amount of memory, and a file past a bound fails it with a message naming the setting. A formula cell
/// gives its cached value; the formula is never evaluated.
/// </summary>
internal sealed class XlsxRowSource : IRowSource
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static readonly XmlReaderSettings Settings = new()
    {
        Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = false, IgnoreComments = true, CloseInput = true,
    };

    private readonly Stream _file;
    private readonly ZipArchive _zip;
    private readonly SharedStringTable _shared;
    private readonly int _maxColumns;
    private readonly int _maxRowChars;
    private readonly LimitedReadStream _sheetStream;
    private readonly XmlReader _sheet;
    private readonly long _sheetLength;
    private long _lastRow;

    private XlsxRowSource(Stream file, ZipArchive zip, SharedStringTable shared, LimitedReadStream sheetStream, long sheetLength, CrmOptions options)
    {
        _file = file;
        _zip = zip;
        _shared = shared;
        _maxColumns = options.MaxImportColumns;
        _maxRowChars = options.MaxImportRowChars;
        _sheetStream = sheetStream;
        _sheetLength = Math.Max(1, sheetLength);
        _sheet = XmlReader.Create(sheetStream, Settings);
    }

    public string Encoding => "xlsx";

    public double Position => Math.Min(1.0, (double)_sheetStream.BytesRead / _sheetLength);

    /// <summary>Opens the workbook in <paramref name="file"/> (owned from now on); throws <see cref="ImportFileException"/> when refused.</summary>
    public static async Task<XlsxRowSource> OpenAsync(Stream file, CrmOptions options, CancellationToken cancellationToken)
    {
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            if (XlsxGuard.Check(zip, options) is { } problem) throw new ImportFileException(problem);
            var budget = new XlsxBudget(options.MaxXlsxUncompressedBytes);
            var sheetPath = await FirstSheetPathAsync(zip, budget, cancellationToken);
            var sheetEntry = zip.GetEntry(sheetPath) ?? throw new ImportFileException($"The workbook names a sheet '{sheetPath}' that it does not contain.");
            var shared = await SharedStringsAsync(zip, budget, options, cancellationToken);
            var source = new XlsxRowSource(file, zip, shared, new LimitedReadStream(sheetEntry.Open(), budget, sheetPath), sheetEntry.Length, options);
            zip = null;
            return source;
        }
        finally
        {
            zip?.Dispose();
        }
    }

    private static XmlReader Open(ZipArchiveEntry entry, XlsxBudget budget) =>
        XmlReader.Create(new LimitedReadStream(entry.Open(), budget, entry.FullName), Settings);

    private static async Task<string> FirstSheetPathAsync(ZipArchive zip, XlsxBudget budget, CancellationToken cancellationToken)
    {
        var workbook = zip.GetEntry("xl/workbook.xml") ?? throw new ImportFileException("The ZIP file is not an XLSX workbook (no xl/workbook.xml).");
        string? relId = null;
        using (var reader = Open(workbook, budget))
        {
            while (relId is null && await reader.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "sheet")
                    relId = reader.GetAttribute("id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
            }
        }
        if (relId is null) throw new ImportFileException("The workbook has no sheet.");
        if (zip.GetEntry("xl/_rels/workbook.xml.rels") is { } rels)
        {
            using var reader = Open(rels, budget);
            while (await reader.ReadAsync())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship" && reader.GetAttribute("Id") == relId
                    && reader.GetAttribute("Target") is { } target)
                    return target.StartsWith('/') ? target[1..] : "xl/" + target;
            }
        }
        return "xl/worksheets/sheet1.xml";
    }

    private static async Task<SharedStringTable> SharedStringsAsync(ZipArchive zip, XlsxBudget budget, CrmOptions options, CancellationToken cancellationToken)
    {
        var table = new SharedStringTable(options.MaxXlsxSharedStrings, options.MaxXlsxSharedStringChars);
        if (zip.GetEntry("xl/sharedStrings.xml") is not { } entry) return table;
        using var reader = Open(entry, budget);
        var text = new StringBuilder();
        while (await reader.ReadAsync())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "si" && reader.NamespaceURI == Main)
            {
                cancellationToken.ThrowIfCancellationRequested();
                text.Clear();
                // One string may not be longer than a row may hold (it could never be imported), nor than what is left.
                var limit = Math.Min(options.MaxImportRowChars, table.RemainingChars);
                if (!await ReadTextRunsAsync(reader, text, limit))
                    throw limit == table.RemainingChars
                        ? table.TooManyChars()
                        : new ImportFileException($"Shared string {table.Count} of the XLSX file holds more than {options.MaxImportRowChars:N0} characters, more than a row may hold (Crm:MaxImportRowChars).");
                table.Add(text);
            }
        }
        return table;
    }

    /// <summary>
    /// Reads the &lt;t&gt; texts under the current element (si or is), skipping phonetic runs. Leaves the reader on the
    /// element's end (or on the element itself when it is empty). False, at once, when the text grows past
    /// <paramref name="limit"/> characters (many runs can make one string of any length).
    /// </summary>
    private static async Task<bool> ReadTextRunsAsync(XmlReader reader, StringBuilder text, int limit)
    {
        if (reader.IsEmptyElement) return true;
        var depth = reader.Depth;
        await reader.ReadAsync();
        while (!(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
        {
            if (reader.EOF) throw new ImportFileException("The XLSX file's XML ends inside a string.");
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "t" && !reader.IsEmptyElement)
            {
                text.Append(Unescape(await reader.ReadElementContentAsStringAsync()));
                if (text.Length > limit) return false;
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rPh")
            {
                await reader.SkipAsync();
                continue;
            }
            await reader.ReadAsync();
        }
        return true;
    }

    public async ValueTask<ImportRow?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _sheet.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_sheet.NodeType != XmlNodeType.Element || _sheet.LocalName != "row") continue;
            var rowNumber = long.TryParse(_sheet.GetAttribute("r"), out var r) ? r : _lastRow + 1;
            _lastRow = rowNumber;
            var cells = new List<string>();
            var chars = 0;
            if (!_sheet.IsEmptyElement)
            {
                var depth = _sheet.Depth;
                await _sheet.ReadAsync();
                while (!(_sheet.Depth == depth && _sheet.NodeType == XmlNodeType.EndElement))
                {
                    if (_sheet.EOF) throw new ImportFileException($"The XLSX sheet ends inside row {rowNumber}.");
                    if (_sheet.NodeType == XmlNodeType.Element && _sheet.LocalName == "c")
                    {
                        var column = ColumnIndex(_sheet.GetAttribute("r")) ?? cells.Count;
                        if (column >= 16384) throw new ImportFileException($"Row {rowNumber} has a cell beyond the last XLSX column.");
                        if (column >= _maxColumns)
                            throw new ImportFileException($"Row {rowNumber} has a cell in column {column + 1:N0}, beyond the {_maxColumns:N0} columns an import reads (Crm:MaxImportColumns).");
                        var value = await ReadCellAsync(_sheet, _maxRowChars - chars) ?? throw RowTooLong(rowNumber);
                        chars += value.Length;
                        if (chars > _maxRowChars) throw RowTooLong(rowNumber);
                        while (cells.Count < column) cells.Add("");
                        if (column < cells.Count) cells[column] = value; else cells.Add(value);
                        await _sheet.ReadAsync();
                        continue;
                    }
                    if (_sheet.NodeType == XmlNodeType.Element)
                    {
                        await _sheet.SkipAsync();
                        continue;
                    }
                    await _sheet.ReadAsync();
                }
            }
            return new ImportRow(rowNumber, [.. cells]);
        }
        return null;
    }

    private ImportFileException RowTooLong(long rowNumber) =>
        new($"Row {rowNumber} of the XLSX sheet holds more than {_maxRowChars:N0} characters (Crm:MaxImportRowChars).");

    /// <summary>
    /// Reads the value of the cell the reader is on; leaves it on the cell's end. Null when the value would be longer than
    /// <paramref name="limit"/> characters (a shared string is measured before it is made).
    /// </summary>
    private async Task<string?> ReadCellAsync(XmlReader reader, int limit)
    {
        var type = reader.GetAttribute("t");
        if (reader.IsEmptyElement) return "";
        var depth = reader.Depth;
        string? v = null;
        var inline = new StringBuilder();
        await reader.ReadAsync();
        while (!(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
        {
            if (reader.EOF) throw new ImportFileException("The XLSX sheet ends inside a cell.");
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "v" && !reader.IsEmptyElement)
            {
                v = await reader.ReadElementContentAsStringAsync();
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "is")
            {
                if (!await ReadTextRunsAsync(reader, inline, limit)) return null;
                await reader.ReadAsync();
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element)
            {
                // A formula (f) is never evaluated: its cached value (v) is the cell's value.
                await reader.SkipAsync();
                continue;
            }
            await reader.ReadAsync();
        }
        return type switch
        {
            "s" => !int.TryParse(v, out var i) || i < 0 || i >= _shared.Count ? "" : _shared.LengthOf(i) > limit ? null : _shared.Get(i),
            "inlineStr" => inline.ToString(),
            "b" => v == "1" ? "TRUE" : "FALSE",
            "str" => Unescape(v ?? ""),
            _ => v ?? "",
        };
    }

    /// <summary>
    /// Decodes the escapes Excel writes for characters XML cannot hold or would lose: <c>_xHHHH_</c> is the UTF-16 code unit
    /// HHHH (<c>_x000D_</c> a carriage return, <c>_x0009_</c> a tab), and <c>_x005F_</c> escapes an underscore that would
    /// otherwise start one (ECMA-376 Part 1, 22.4.2.4 ST_Xstring).
    /// </summary>
    internal static string Unescape(string text)
    {
        var at = text.IndexOf("_x", StringComparison.Ordinal);
        if (at < 0) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text.AsSpan(0, at));
        for (var i = at; i < text.Length;)
        {
            if (text[i] == '_' && i + 6 < text.Length && text[i + 1] == 'x' && text[i + 6] == '_'
                && ushort.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 7;
            }
            else
            {
                sb.Append(text[i++]);
            }
        }
        return sb.ToString();
    }

    /// <summary>The 0-based column of a cell reference such as <c>AB12</c>, or null.</summary>
    private static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference)) return null;
        var index = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (c is >= 'A' and <= 'Z') { index = index * 26 + (c - 'A' + 1); letters++; }
            else break;
            if (letters > 3) return null;
        }
        return letters == 0 ? null : index - 1;
    }

    public async ValueTask DisposeAsync()
    {
        _sheet.Dispose();
        _zip.Dispose();
        await _file.DisposeAsync();
    }
}
