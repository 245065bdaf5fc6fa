using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Leora.Crm.Reports;

/// <summary>
/// Writes a report as an XLSX workbook of one sheet, streamed: a <see cref="ZipArchive"/> in Create mode (which writes each
/// entry straight through, unlike the Update mode a package opened read-write uses, which holds every part in memory) and an
/// <see cref="XmlWriter"/> for the sheet. Strings are inline (no shared-string table to keep in memory); characters XML
/// cannot hold are dropped.
/// </summary>
/// <remarks>
/// No formula guard (<see cref="Leora.Crm.Text.CellGuard"/>) here, unlike CSV: a cell typed as a string (<c>t="inlineStr"</c>) is text to
/// every spreadsheet, never evaluated, whatever it starts with; only a <c>&lt;f&gt;</c> element is a formula, and this
/// writer writes none. A guard's apostrophe would only show: a phone number would read <c>'+14155550100</c>.
/// </remarks>
internal sealed class XlsxReportWriter : IReportWriter
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private readonly ZipArchive _zip;
    private Stream? _sheetStream;
    private XmlWriter? _sheet;

    public XlsxReportWriter(Stream output)
    {
        _zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
    }

    private async ValueTask<XmlWriter> SheetAsync()
    {
        if (_sheet is not null) return _sheet;
        _sheetStream = _zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).Open();
        _sheet = XmlWriter.Create(_sheetStream, new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false), CloseOutput = false });
        await _sheet.WriteStartDocumentAsync(standalone: true);
        await _sheet.WriteStartElementAsync(null, "worksheet", Main);
        await _sheet.WriteStartElementAsync(null, "sheetData", Main);
        return _sheet;
    }

    public async ValueTask WriteRowAsync(IReadOnlyList<object?> values, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var w = await SheetAsync();
        await w.WriteStartElementAsync(null, "row", Main);
        foreach (var value in values)
        {
            await w.WriteStartElementAsync(null, "c", Main);
            switch (value)
            {
                case null:
                    break;
                case long n:
                    await w.WriteElementStringAsync(null, "v", Main, n.ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    await w.WriteAttributeStringAsync(null, "t", null, "inlineStr");
                    await w.WriteStartElementAsync(null, "is", Main);
                    await w.WriteStartElementAsync(null, "t", Main);
                    await w.WriteAttributeStringAsync("xml", "space", null, "preserve");
                    await w.WriteStringAsync(XmlSafe(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
                    await w.WriteEndElementAsync();
                    await w.WriteEndElementAsync();
                    break;
            }
            await w.WriteEndElementAsync();
        }
        await w.WriteEndElementAsync();
    }

    public int? RowCap => null;

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var w = await SheetAsync();
        await w.WriteEndElementAsync();
        await w.WriteEndElementAsync();
        await w.WriteEndDocumentAsync();
        await w.FlushAsync();
        w.Dispose();
        _sheet = null;
        await _sheetStream!.DisposeAsync();
        _sheetStream = null;
        await PartAsync("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
            """, cancellationToken);
        await PartAsync("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """, cancellationToken);
        await PartAsync("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>
            """, cancellationToken);
        await PartAsync("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """, cancellationToken);
        await PartAsync("xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>
            """, cancellationToken);
    }

    private async Task PartAsync(string name, string xml, CancellationToken cancellationToken)
    {
        await using var stream = _zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(xml), cancellationToken);
    }

    private static string XmlSafe(string s)
    {
        foreach (var c in s)
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c)) return new string([.. s.Where(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch))]);
        return s;
    }

    public async ValueTask DisposeAsync()
    {
        _sheet?.Dispose();
        if (_sheetStream is not null) await _sheetStream.DisposeAsync();
        _zip.Dispose();
    }
}
