using System.Globalization;
using System.Text;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Leora.Crm.Reports;

/// <summary>
/// Writes a report as a table to print. The first page says what it is: the title, the filters, when it was generated, how
/// many rows it holds of how many the report matched, and which columns are not shown (empty ones, and those left out to
/// fit the page, in the order of <see cref="ReportHeading.DropFirst"/>). Columns are sized by their content and wrap
/// instead of cutting; the page turns landscape when the table is wider than a portrait page; the header row is repeated
/// on every page, and every page says "Page X of Y".
/// </summary>
/// <remarks>
/// A PDF is held in memory until it is saved, and its columns are sized from every row, so it holds at most the cap given
/// (<see cref="CrmOptions.MaxPdfReportRows"/>, 20,000 by default); the rows past it are counted, not kept, and both pages
/// and the report's API answer say so. Memory stays bounded by that cap (CSV and XLSX stream any number of rows).
/// </remarks>
internal sealed class PdfReportWriter : IReportWriter
{
    public const int MaxRows = 20_000;

    private const double Margin = 32, FontSize = 7.5, LineHeight = 9.2, PadX = 3, PadY = 1.9, FooterHeight = 18;
    // A value read whole (an e-mail) wraps only past this width; a single word of free text breaks past MaxWord.
    private const double MaxKeepWhole = 230, MaxWord = 80, MaxNatural = 240, Comfortable = 60, OccasionalWidth = 120;
    private const int MaxLinesPerCell = 12;

    private static readonly XColor Ink = XColor.FromArgb(33, 37, 41), Muted = XColor.FromArgb(90, 98, 107);
    private static readonly XColor HeaderFill = XColor.FromArgb(226, 231, 237), StripeFill = XColor.FromArgb(245, 247, 249);
    private static readonly XColor Warning = XColor.FromArgb(160, 30, 30), Rule = XColor.FromArgb(160, 168, 176);

    private readonly Stream _output;
    private readonly ReportHeading _heading;
    private readonly int _maxRows;
    private readonly List<string[]> _rows = [];
    private string[]? _header;
    private bool[] _numeric = [];
    private long _matched;

    public PdfReportWriter(Stream output, ReportHeading heading, int maxRows = MaxRows)
    {
        PdfFonts.EnsureInstalled();
        _output = output;
        _heading = heading;
        _maxRows = maxRows;
    }

    public int? RowCap => _maxRows;

    public ValueTask WriteRowAsync(IReadOnlyList<object?> values, CancellationToken cancellationToken)
    {
        if (_header is null)
        {
            _header = [.. values.Select(Text)];
            _numeric = [.. _header.Select(_ => true)];
            return ValueTask.CompletedTask;
        }
        _matched++;
        if (_rows.Count >= _maxRows) return ValueTask.CompletedTask;
        var cells = new string[_header.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            var value = i < values.Count ? values[i] : null;
            cells[i] = Text(value);
            if (value is not (null or long)) _numeric[i] = false;
        }
        _rows.Add(cells);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        using var document = new PdfDocument();
        document.Info.Title = _heading.Title;
        document.Info.Creator = "Leora CRM";
        Render(document, cancellationToken);
        document.Save(_output, closeStream: false);
        return ValueTask.CompletedTask;
    }

    private void Render(PdfDocument document, CancellationToken cancellationToken)
    {
        var header = _header ?? [];
        using var measure = XGraphics.CreateMeasureContext(new XSize(2000, 2000), XGraphicsUnit.Point, XPageDirection.Downwards);
        var body = new PdfText(measure, FontSize, bold: false);
        var bold = new PdfText(measure, FontSize, bold: true);

        // Empty columns take no room; the others are measured once, over every row kept.
        var empty = new List<string>();
        var columns = new List<Column>();
        for (var i = 0; i < header.Length; i++)
        {
            if (_rows.All(r => r[i].Length == 0))
            {
                if (_rows.Count > 0) empty.Add(header[i]);
                continue;
            }
            columns.Add(Measure(i, header[i], body, bold));
        }

        var (portraitWidth, landscapeWidth) = (595.28 - (2 * Margin), 841.89 - (2 * Margin));
        var landscape = columns.Sum(c => c.Natural) > portraitWidth;
        var available = landscape ? landscapeWidth : portraitWidth;
        var dropped = new List<string>();
        foreach (var name in _heading.DropFirst)
        {
            if (columns.Sum(c => Math.Min(c.Natural, Math.Max(c.Minimum, Comfortable))) <= available) break;
            if (columns.FindIndex(c => c.Name == name) is var at and >= 0)
            {
                dropped.Add(name);
                columns.RemoveAt(at);
            }
        }
        Size(columns, available);

        var pages = new List<PdfPage>();
        XGraphics? g = null;
        double y = 0, bottom = 0;
        void NewPage()
        {
            g?.Dispose();
            var page = document.AddPage();
            page.Size = PageSize.A4;
            page.Orientation = landscape ? PageOrientation.Landscape : PageOrientation.Portrait;
            pages.Add(page);
            g = XGraphics.FromPdfPage(page);
            y = Margin;
            bottom = page.Height.Point - Margin - FooterHeight;
        }

        NewPage();
        y = DrawTitle(g!, body, empty, dropped, available);
        if (columns.Count == 0)
        {
            body.Draw(g!, "No rows.", new XSolidBrush(Ink), Margin, y + FontSize);
        }
        else
        {
            var headerLines = columns.Select(c => bold.Wrap(c.Name, c.Width - (2 * PadX), 3)).ToList();
            var headerHeight = (headerLines.Max(l => l.Count) * LineHeight) + (2 * PadY);
            void TableHeader()
            {
                g!.DrawRectangle(new XSolidBrush(HeaderFill), Margin, y, columns.Sum(c => c.Width), headerHeight);
                DrawCells(g, bold, columns, headerLines, y, numericRight: false);
                y += headerHeight;
                g.DrawLine(new XPen(Rule, 0.6), Margin, y, Margin + columns.Sum(c => c.Width), y);
            }
            TableHeader();
            var stripe = new XSolidBrush(StripeFill);
            for (var r = 0; r < _rows.Count; r++)
            {
                if ((r & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                var row = _rows[r];
                var lines = columns.Select(c => body.Wrap(row[c.Index], c.Width - (2 * PadX), MaxLinesPerCell)).ToList();
                var height = (Math.Max(1, lines.Max(l => l.Count)) * LineHeight) + (2 * PadY);
                if (y + height > bottom)
                {
                    NewPage();
                    TableHeader();
                }
                if ((r & 1) == 1) g!.DrawRectangle(stripe, Margin, y, columns.Sum(c => c.Width), height);
                DrawCells(g!, body, columns, lines, y, numericRight: true);
                y += height;
            }
            if (_matched > _rows.Count)
            {
                var note = $"Stopped at {_rows.Count:N0} of {_matched:N0} rows: a PDF holds at most {_maxRows:N0}. Request CSV or XLSX for every row.";
                if (y + LineHeight + 6 > bottom) NewPage();
                bold.Draw(g!, note, new XSolidBrush(Warning), Margin, y + 6 + FontSize);
            }
        }
        g?.Dispose();

        // The page count is known once every page is drawn: each page gets its footer then.
        var footer = $"{_heading.Title} · generated {Stamp(_heading.GeneratedAt)}";
        var muted = new XSolidBrush(Muted);
        for (var i = 0; i < pages.Count; i++)
        {
            using var pg = XGraphics.FromPdfPage(pages[i], XGraphicsPdfPageOptions.Append);
            var baseline = pages[i].Height.Point - Margin + 4;
            var width = pages[i].Width.Point;
            pg.DrawLine(new XPen(Rule, 0.4), Margin, baseline - 10, width - Margin, baseline - 10);
            body.Draw(pg, footer, muted, Margin, baseline);
            var number = string.Create(CultureInfo.InvariantCulture, $"Page {i + 1} of {pages.Count}");
            body.Draw(pg, number, muted, width - Margin - body.Width(number), baseline);
        }
    }

    /// <summary>The first page's heading; returns where the table starts.</summary>
    private double DrawTitle(XGraphics g, PdfText body, List<string> empty, List<string> dropped, double width)
    {
        var ink = new XSolidBrush(Ink);
        var title = new PdfText(g, 16, bold: true);
        var y = Margin + 16;
        title.Draw(g, _heading.Title, ink, Margin, y);
        y += 8;
        var lines = new List<(string Text, XColor Color)>
        {
            ($"Generated {Stamp(_heading.GeneratedAt)} by Leora CRM.", Muted),
            ($"Filters: {_heading.Filters}.", Ink),
            (_matched > _rows.Count
                ? $"Rows: the first {_rows.Count:N0} of {_matched:N0}. A PDF holds at most {_maxRows:N0} rows: request CSV or XLSX for every row."
                : $"Rows: {_rows.Count:N0}.", _matched > _rows.Count ? Warning : Ink),
        };
        if (empty.Count > 0) lines.Add(($"Not shown, empty in every row: {string.Join(", ", empty)}.", Muted));
        if (dropped.Count > 0) lines.Add(($"Left out to fit the page: {string.Join(", ", dropped)} (CSV and XLSX have every column).", Muted));
        foreach (var (text, color) in lines)
        {
            foreach (var line in body.Wrap(text, width, 4))
            {
                y += LineHeight + 1;
                body.Draw(g, line, new XSolidBrush(color), Margin, y);
            }
        }
        return y + 10;
    }

    private void DrawCells(XGraphics g, PdfText text, List<Column> columns, List<List<string>> lines, double top, bool numericRight)
    {
        var brush = new XSolidBrush(Ink);
        var x = Margin;
        for (var c = 0; c < columns.Count; c++)
        {
            var right = numericRight && _numeric[columns[c].Index];
            var baseline = top + PadY + FontSize;
            foreach (var line in lines[c])
            {
                var left = right ? x + columns[c].Width - PadX - text.Width(line) : x + PadX;
                text.Draw(g, line, brush, left, baseline);
                baseline += LineHeight;
            }
            x += columns[c].Width;
        }
    }

    /// <summary>
    /// A column's natural width and its least width, padding included. Natural: what 95 % of its values need on one line
    /// (a few long values wrap rather than widen the column for all), at least its header's and its longest value's up to
    /// <see cref="OccasionalWidth"/>. Least: its widest word, or
    /// its widest value for a column read whole (so every e-mail stays on one line), within bounds.
    /// </summary>
    private Column Measure(int index, string name, PdfText body, PdfText bold)
    {
        var keepWhole = _heading.KeepWhole.Contains(name);
        double minimum = 0;
        foreach (var word in name.Split(' ')) minimum = Math.Max(minimum, bold.Width(word));
        var header = Math.Min(bold.Width(name), Math.Max(minimum, 70));
        var widths = new double[_rows.Count];
        for (var r = 0; r < _rows.Count; r++)
        {
            var value = _rows[r][index];
            if (value.Length == 0) continue;
            foreach (var line in value.Split('\n'))
            {
                var w = body.Width(line);
                widths[r] = Math.Max(widths[r], w);
                if (keepWhole) minimum = Math.Max(minimum, Math.Min(w, MaxKeepWhole));
                else if (w > minimum)
                    foreach (var word in line.Split(' ')) minimum = Math.Max(minimum, Math.Min(body.Width(word), MaxWord));
            }
        }
        Array.Sort(widths);
        var typical = widths.Length == 0 ? 0 : widths[(int)Math.Ceiling(widths.Length * 0.95) - 1];
        // The rare long value still asks for some room (up to OccasionalWidth) when the page has it to spare.
        var longest = widths.Length == 0 ? 0 : widths[^1];
        var natural = Math.Max(Math.Min(Math.Max(Math.Max(header, typical), Math.Min(longest, OccasionalWidth)), MaxNatural), minimum);
        return new Column(index, name, natural + (2 * PadX) + 0.5, minimum + (2 * PadX) + 0.5);
    }

    /// <summary>
    /// Gives every column its natural width when the page holds them all; else its least width, and the room left to the
    /// columns that want more, in proportion to what they want; else (too many columns even at their least) shrinks all.
    /// </summary>
    private static void Size(List<Column> columns, double available)
    {
        if (columns.Sum(c => c.Natural) <= available)
        {
            foreach (var c in columns) c.Width = c.Natural;
            return;
        }
        var least = columns.Sum(c => c.Minimum);
        if (least > available)
        {
            foreach (var c in columns) c.Width = c.Minimum * available / least;
            return;
        }
        var room = available - least;
        var want = columns.Sum(c => c.Natural - c.Minimum);
        foreach (var c in columns) c.Width = c.Minimum + (want <= 0 ? 0 : room * (c.Natural - c.Minimum) / want);
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    // No formula guard: a PDF runs nothing, and a phone number should read +1 415…, not '+1 415…. Line breaks are kept
    // (notes wrap where they were written); tabs become spaces and other control characters are dropped.
    private static string Text(object? value)
    {
        var s = value switch
        {
            null => "",
            long n => n.ToString(CultureInfo.InvariantCulture),
            string str => str,
            var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
        };
        if (!s.AsSpan().ContainsAnyInRange('\0', '\u001f') && !s.Contains('\u007f', StringComparison.Ordinal)) return s.Trim();
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\r')
            {
                sb.Append('\n');
                if (i + 1 < s.Length && s[i + 1] == '\n') i++;
            }
            else if (c == '\t') sb.Append(' ');
            else if (c == '\n' || !char.IsControl(c)) sb.Append(c);
        }
        return sb.ToString().Trim();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Column(int index, string name, double natural, double minimum)
    {
        public int Index { get; } = index;
        public string Name { get; } = name;
        public double Natural { get; } = natural;
        public double Minimum { get; } = minimum;
        public double Width { get; set; }
    }
}
