using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Leora.Crm.Reports;

/// <summary>
/// Writes a report as a printable PDF table: A4 landscape, the header row repeated on every page. A PDF is held in
/// memory until it is saved, so it stops at <see cref="MaxRows"/> rows with a note saying so (CSV and XLSX stream
/// any number of rows); memory stays bounded by that cap.
/// </summary>
internal sealed class PdfReportWriter : IReportWriter
{
    public const int MaxRows = 20_000;
    private const double Margin = 28, FontSize = 6.5, RowHeight = 9;

    private readonly Stream _output;
    private readonly PdfDocument _document = new();
    private readonly XFont _font;
    private readonly XFont _headerFont;
    private IReadOnlyList<string>? _header;
    private XGraphics? _page;
    private double _y, _pageWidth, _pageHeight;
    private int _rows;
    private bool _truncated;

    public PdfReportWriter(Stream output)
    {
        PdfFonts.EnsureInstalled();
        _output = output;
        _document.Info.Title = "Leora CRM report";
        _font = new XFont(PdfFonts.Family, FontSize, XFontStyleEx.Regular);
        _headerFont = new XFont(PdfFonts.Family, FontSize, XFontStyleEx.Bold);
    }

    public ValueTask WriteRowAsync(IReadOnlyList<object?> values, CancellationToken cancellationToken)
    {
        var cells = values.Select(Text).ToList();
        if (_header is null)
        {
            _header = cells;
            return ValueTask.CompletedTask;
        }
        if (_rows >= MaxRows)
        {
            _truncated = true;
            return ValueTask.CompletedTask;
        }
        if (_page is null || _y + RowHeight > _pageHeight - Margin) NewPage();
        DrawRow(cells, _font);
        _rows++;
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_page is null) NewPage();
        if (_truncated)
        {
            if (_y + (2 * RowHeight) > _pageHeight - Margin) NewPage();
            _page!.DrawString($"Stopped at {MaxRows:N0} rows: PDF is for printing. Request CSV or XLSX for the whole report.",
                _headerFont, XBrushes.DarkRed, new XPoint(Margin, _y + RowHeight));
        }
        _page!.Dispose();
        _page = null;
        _document.Save(_output, closeStream: false);
        return ValueTask.CompletedTask;
    }

    private void NewPage()
    {
        _page?.Dispose();
        var page = _document.AddPage();
        page.Size = PageSize.A4;
        page.Orientation = PageOrientation.Landscape;
        _pageWidth = page.Width.Point;
        _pageHeight = page.Height.Point;
        _page = XGraphics.FromPdfPage(page);
        _y = Margin;
        _page.DrawString($"Page {_document.PageCount}", _font, XBrushes.Gray, new XPoint(_pageWidth - Margin - 40, Margin - 10));
        if (_header is not null)
        {
            DrawRow(_header, _headerFont);
            _page.DrawLine(XPens.Gray, Margin, _y - 1.5, _pageWidth - Margin, _y - 1.5);
        }
    }

    private void DrawRow(IReadOnlyList<string> cells, XFont font)
    {
        var columns = Math.Max(1, _header?.Count ?? cells.Count);
        var width = (_pageWidth - (2 * Margin)) / columns;
        // Characters that fit a column at this size (average glyph ≈ half the em): long values are cut with an ellipsis.
        var fit = Math.Max(3, (int)(width / (FontSize * 0.5)) - 1);
        for (var i = 0; i < Math.Min(columns, cells.Count); i++)
        {
            var text = cells[i].Length > fit ? string.Concat(cells[i].AsSpan(0, fit - 1), "…") : cells[i];
            _page!.DrawString(text, font, XBrushes.Black, new XPoint(Margin + (i * width), _y + FontSize));
        }
        _y += RowHeight;
    }

    // No formula guard: a PDF runs nothing, and a phone number should read +1 415…, not '+1 415….
    private static string Text(object? value) => value switch
    {
        null => "",
        long n => n.ToString(CultureInfo.InvariantCulture),
        string s => s,
        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
    } ?? "";

    public ValueTask DisposeAsync()
    {
        _page?.Dispose();
        _document.Dispose();
        return ValueTask.CompletedTask;
    }
}
