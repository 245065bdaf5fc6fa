using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Leora.Crm.Imports;

/// <summary>
/// Streams the rows of an XLSX workbook's first sheet with an <see cref="XmlReader"/> over the ZIP entry, never loading
/// the sheet (the shared strings are loaded: a sheet refers to them by index). Guarded by <see cref="XlsxGuard"/> before
/// and by a byte budget while reading. A formula cell gives its cached value; the formula is never evaluated.
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
    private readonly List<string> _shared;
    private readonly LimitedReadStream _sheetStream;
    private readonly XmlReader _sheet;
    private readonly long _sheetLength;
    private long _lastRow;

    private XlsxRowSource(Stream file, ZipArchive zip, List<string> shared, LimitedReadStream sheetStream, long sheetLength)
    {
        _file = file;
        _zip = zip;
        _shared = shared;
        _sheetStream = sheetStream;
        _sheetLength = Math.Max(1, sheetLength);
        _sheet = XmlReader.Create(sheetStream, Settings);
    }

    public string Encoding => "xlsx";

    public double Position => Math.Min(1.0, (double)_sheetStream.BytesRead / _sheetLength);

    /// <summary>Opens the workbook in <paramref name="file"/> (owned from now on); throws <see cref="InvalidDataException"/> when refused.</summary>
    public static async Task<XlsxRowSource> OpenAsync(Stream file, CrmOptions options, CancellationToken cancellationToken)
    {
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            if (XlsxGuard.Check(zip, options) is { } problem) throw new InvalidDataException(problem);
            var budget = new XlsxBudget(options.MaxXlsxUncompressedBytes);
            var sheetPath = await FirstSheetPathAsync(zip, budget, cancellationToken);
            var sheetEntry = zip.GetEntry(sheetPath) ?? throw new InvalidDataException($"The workbook names a sheet '{sheetPath}' that it does not contain.");
            var shared = await SharedStringsAsync(zip, budget, cancellationToken);
            var source = new XlsxRowSource(file, zip, shared, new LimitedReadStream(sheetEntry.Open(), budget), sheetEntry.Length);
            zip = null;
            return source;
        }
        finally
        {
            zip?.Dispose();
        }
    }

    private static XmlReader Open(ZipArchiveEntry entry, XlsxBudget budget) =>
        XmlReader.Create(new LimitedReadStream(entry.Open(), budget), Settings);

    private static async Task<string> FirstSheetPathAsync(ZipArchive zip, XlsxBudget budget, CancellationToken cancellationToken)
    {
        var workbook = zip.GetEntry("xl/workbook.xml") ?? throw new InvalidDataException("The ZIP file is not an XLSX workbook (no xl/workbook.xml).");
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
        if (relId is null) throw new InvalidDataException("The workbook has no sheet.");
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

    private static async Task<List<string>> SharedStringsAsync(ZipArchive zip, XlsxBudget budget, CancellationToken cancellationToken)
    {
        var list = new List<string>();
        if (zip.GetEntry("xl/sharedStrings.xml") is not { } entry) return list;
        using var reader = Open(entry, budget);
        var text = new StringBuilder();
        while (await reader.ReadAsync())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "si" && reader.NamespaceURI == Main)
            {
                cancellationToken.ThrowIfCancellationRequested();
                text.Clear();
                await ReadTextRunsAsync(reader, text);
                list.Add(text.ToString());
            }
        }
        return list;
    }

    /// <summary>
    /// Reads the &lt;t&gt; texts under the current element (si or is), skipping phonetic runs. Leaves the reader on the
    /// element's end (or on the element itself when it is empty).
    /// </summary>
    private static async Task ReadTextRunsAsync(XmlReader reader, StringBuilder text)
    {
        if (reader.IsEmptyElement) return;
        var depth = reader.Depth;
        await reader.ReadAsync();
        while (!(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
        {
            if (reader.EOF) throw new InvalidDataException("The XLSX file's XML ends inside a string.");
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "t" && !reader.IsEmptyElement)
            {
                text.Append(await reader.ReadElementContentAsStringAsync());
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rPh")
            {
                await reader.SkipAsync();
                continue;
            }
            await reader.ReadAsync();
        }
    }

    public async ValueTask<(long Row, string[] Fields)?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _sheet.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_sheet.NodeType != XmlNodeType.Element || _sheet.LocalName != "row") continue;
            var rowNumber = long.TryParse(_sheet.GetAttribute("r"), out var r) ? r : _lastRow + 1;
            _lastRow = rowNumber;
            var cells = new List<string>();
            if (!_sheet.IsEmptyElement)
            {
                var depth = _sheet.Depth;
                await _sheet.ReadAsync();
                while (!(_sheet.Depth == depth && _sheet.NodeType == XmlNodeType.EndElement))
                {
                    if (_sheet.EOF) throw new InvalidDataException($"The XLSX sheet ends inside row {rowNumber}.");
                    if (_sheet.NodeType == XmlNodeType.Element && _sheet.LocalName == "c")
                    {
                        var column = ColumnIndex(_sheet.GetAttribute("r")) ?? cells.Count;
                        if (column >= 16384) throw new InvalidDataException($"Row {rowNumber} has a cell beyond the last XLSX column.");
                        var value = await ReadCellAsync(_sheet);
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
            return (rowNumber, cells.ToArray());
        }
        return null;
    }

    /// <summary>Reads the value of the cell the reader is on; leaves it on the cell's end.</summary>
    private async Task<string> ReadCellAsync(XmlReader reader)
    {
        var type = reader.GetAttribute("t");
        if (reader.IsEmptyElement) return "";
        var depth = reader.Depth;
        string? v = null;
        var inline = new StringBuilder();
        await reader.ReadAsync();
        while (!(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
        {
            if (reader.EOF) throw new InvalidDataException("The XLSX sheet ends inside a cell.");
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "v" && !reader.IsEmptyElement)
            {
                v = await reader.ReadElementContentAsStringAsync();
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "is")
            {
                await ReadTextRunsAsync(reader, inline);
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
            "s" => int.TryParse(v, out var i) && i >= 0 && i < _shared.Count ? _shared[i] : "",
            "inlineStr" => inline.ToString(),
            "b" => v == "1" ? "TRUE" : "FALSE",
            _ => v ?? "",
        };
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
