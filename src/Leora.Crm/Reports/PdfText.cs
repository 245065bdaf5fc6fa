using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Leora.Crm.Reports;

/// <summary>
/// Measures, wraps and draws text in one size and weight with the fonts of <see cref="PdfFonts"/>: each character in the
/// first font that has it (PDFsharp draws a string in one font, so a cell mixing Latin, Japanese and emoji is drawn as runs).
/// Widths are cached per character, which makes sizing columns over 20,000 rows cheap. A character no font has is drawn
/// as U+FFFD; invisible format characters that no font has (variation selectors, zero-width joiners) are left out.
/// </summary>
internal sealed class PdfText
{
    private readonly XGraphics _measure;
    private readonly XFont[] _fonts;
    private readonly Dictionary<int, (int Font, double Width)> _glyphs = [];
    private readonly int _replacement;

    public PdfText(XGraphics measure, double size, bool bold)
    {
        _measure = measure;
        var style = bold ? XFontStyleEx.Bold : XFontStyleEx.Regular;
        // Unicode (Identity-H with a ToUnicode map) for every font: the text of the PDF can be copied and searched, in any script.
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        _fonts = [new XFont(PdfFonts.Family, size, style, options), .. PdfFonts.Fallbacks.Select(f => new XFont(f, size, style, options))];
        Size = size;
        _replacement = GlyphHelper.GlyphIndexFromCodePoint(0xFFFD, _fonts[0]) != 0 ? 0xFFFD : '?';
    }

    public double Size { get; }

    /// <summary>The width of <paramref name="text"/> in points.</summary>
    public double Width(string text) => Width(text.AsSpan());

    public double Width(ReadOnlySpan<char> text)
    {
        double width = 0;
        foreach (var rune in text.EnumerateRunes()) width += Glyph(rune.Value).Width;
        return width;
    }

    /// <summary>
    /// Breaks <paramref name="text"/> into lines no wider than <paramref name="width"/>: at line breaks, then between words,
    /// and inside a word only when the word alone is wider than the column. At most <paramref name="maxLines"/> lines, the
    /// last one ending with an ellipsis when there was more.
    /// </summary>
    public List<string> Wrap(string text, double width, int maxLines)
    {
        var lines = new List<string>(1);
        if (text.Length == 0) return lines;
        if (text.IndexOf('\n') < 0 && Width(text) <= width)
        {
            lines.Add(text);
            return lines;
        }
        foreach (var paragraph in text.Split('\n'))
        {
            var line = new StringBuilder();
            double lineWidth = 0;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var wordWidth = Width(word);
                var space = line.Length > 0 ? Glyph(' ').Width : 0;
                if (lineWidth + space + wordWidth <= width)
                {
                    if (line.Length > 0) line.Append(' ');
                    line.Append(word);
                    lineWidth += space + wordWidth;
                    continue;
                }
                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                    lineWidth = 0;
                }
                if (wordWidth <= width)
                {
                    line.Append(word);
                    lineWidth = wordWidth;
                    continue;
                }
                // A word wider than the column: broken between characters, never drawn over the next column.
                foreach (var rune in word.EnumerateRunes())
                {
                    var w = Glyph(rune.Value).Width;
                    if (lineWidth + w > width && line.Length > 0)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                        lineWidth = 0;
                    }
                    line.Append(rune.ToString());
                    lineWidth += w;
                }
            }
            lines.Add(line.ToString());
        }
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count > maxLines)
        {
            lines.RemoveRange(maxLines, lines.Count - maxLines);
            var last = lines[^1];
            var ellipsis = Glyph('…').Width;
            while (last.Length > 0 && Width(last) + ellipsis > width) last = last[..^(char.IsLowSurrogate(last[^1]) && last.Length > 1 ? 2 : 1)];
            lines[^1] = last + "…";
        }
        return lines;
    }

    /// <summary>Draws one line of text with its baseline at <paramref name="y"/>, each run of characters in the font that has them.</summary>
    public void Draw(XGraphics g, string text, XBrush brush, double x, double y)
    {
        var run = new StringBuilder();
        var runFont = -1;
        foreach (var rune in text.EnumerateRunes())
        {
            var (font, width) = Glyph(rune.Value);
            if (width == 0 && font < 0) continue;
            if (font != runFont && run.Length > 0)
            {
                x += DrawRun(g, run, runFont, brush, x, y);
                run.Clear();
            }
            runFont = font;
            run.Append(font < 0 ? char.ConvertFromUtf32(_replacement) : rune.ToString());
        }
        if (run.Length > 0) DrawRun(g, run, runFont, brush, x, y);
    }

    private double DrawRun(XGraphics g, StringBuilder run, int font, XBrush brush, double x, double y)
    {
        var text = run.ToString();
        var f = _fonts[Math.Max(0, font)];
        g.DrawString(text, f, brush, x, y);
        return Width(text);
    }

    /// <summary>The font that has <paramref name="codePoint"/> (-1: none) and the character's advance width.</summary>
    private (int Font, double Width) Glyph(int codePoint)
    {
        if (_glyphs.TryGetValue(codePoint, out var known)) return known;
        (int, double) result = (-1, 0);
        for (var i = 0; i < _fonts.Length; i++)
        {
            if (GlyphHelper.GlyphIndexFromCodePoint(codePoint, _fonts[i]) == 0) continue;
            result = (i, _measure.MeasureString(char.ConvertFromUtf32(codePoint), _fonts[i]).Width);
            break;
        }
        if (result.Item1 < 0 && !IsInvisible(codePoint))
            result = (-1, _measure.MeasureString(char.ConvertFromUtf32(_replacement), _fonts[0]).Width);
        _glyphs[codePoint] = result;
        return result;
    }

    private static bool IsInvisible(int codePoint) =>
        Rune.GetUnicodeCategory(new Rune(codePoint)) is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
        || codePoint is >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF;
}
