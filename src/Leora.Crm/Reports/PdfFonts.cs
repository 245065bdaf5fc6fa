using PdfSharp.Fonts;

namespace Leora.Crm.Reports;

/// <summary>
/// The TrueType font of PDF reports, found among the system's fonts (Liberation Sans or DejaVu Sans, from Debian's
/// fonts-liberation / fonts-dejavu-core) or named by the LEORA_PDF_FONT environment variable.
/// </summary>
internal sealed class PdfFonts : IFontResolver
{
    public const string Family = "Leora Report";

    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly Lazy<byte[]?> Font = new(() =>
    {
        var path = Environment.GetEnvironmentVariable("LEORA_PDF_FONT") is { Length: > 0 } configured ? configured : Candidates.FirstOrDefault(File.Exists);
        return path is not null && File.Exists(path) ? File.ReadAllBytes(path) : null;
    });

    private static readonly Lock InstallLock = new();

    /// <summary>
    /// Installs the resolver. PDFsharp takes its font resolver in a process-wide setting (its API, not our choice), set
    /// once here before the first PDF is drawn. Throws when no font is available, with what to install.
    /// </summary>
    public static void EnsureInstalled()
    {
        if (Font.Value is null)
            throw new InvalidOperationException(
                "PDF reports need a TrueType font: install fonts-liberation (or fonts-dejavu-core), or set LEORA_PDF_FONT to a .ttf file.");
        lock (InstallLock)
        {
            if (GlobalFontSettings.FontResolver is not PdfFonts) GlobalFontSettings.FontResolver = new PdfFonts();
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(Family);

    public byte[]? GetFont(string faceName) => Font.Value;
}
