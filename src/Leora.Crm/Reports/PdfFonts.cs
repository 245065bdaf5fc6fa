using PdfSharp.Fonts;

namespace Leora.Crm.Reports;

/// <summary>
/// The TrueType fonts of PDF reports, found among the system's fonts: a main face (Noto Sans from Debian's fonts-noto-core,
/// else Liberation Sans or DejaVu Sans, or the file named by the LEORA_PDF_FONT environment variable) and fallbacks for the
/// characters it lacks, tried in order: Chinese and Japanese (Droid Sans Fallback, fonts-droid-fallback), Korean
/// (NanumGothic, fonts-nanum), emoji and symbols (Symbola, fonts-symbola, drawn in one colour), then DejaVu Sans.
/// </summary>
/// <remarks>
/// Fonts with TrueType outlines only, on purpose. PDFsharp embeds an OpenType font with CFF outlines (Noto Sans CJK) whole,
/// not as a subset: one Japanese name made a 13.7 MB PDF. Noto Color Emoji holds bitmaps, which PDFsharp does not draw.
/// A fallback that is not installed is skipped; a character no installed font has is drawn as U+FFFD (see PdfText).
/// </remarks>
internal sealed class PdfFonts : IFontResolver
{
    /// <summary>The main family (regular and bold faces).</summary>
    public const string Family = "Leora Report";

    private const string MainRegular = "main", MainBold = "main-bold";

    private static readonly string[] RegularCandidates =
    [
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly string[] BoldCandidates =
    [
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/Library/Fonts/Arial Bold.ttf",
        @"C:\Windows\Fonts\arialbd.ttf",
    ];

    /// <summary>The fallback families, in the order they are tried, each with the files that may hold it.</summary>
    private static readonly (string Family, string[] Candidates)[] FallbackCandidates =
    [
        ("Leora Report CJK", ["/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"]),
        ("Leora Report Korean", ["/usr/share/fonts/truetype/nanum/NanumGothic.ttf"]),
        ("Leora Report Symbols", ["/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf"]),
        ("Leora Report DejaVu", ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"]),
    ];

    private static readonly Lazy<string?> RegularPath = new(() =>
        Environment.GetEnvironmentVariable("LEORA_PDF_FONT") is { Length: > 0 } configured ? configured : RegularCandidates.FirstOrDefault(File.Exists));

    // The configured font has no bold face of its own: PDFsharp simulates bold from it.
    private static readonly Lazy<string?> BoldPath = new(() =>
        Environment.GetEnvironmentVariable("LEORA_PDF_FONT") is { Length: > 0 } ? null : BoldCandidates.FirstOrDefault(File.Exists));

    private static readonly Lazy<(string Family, string Path)[]> InstalledFallbacks = new(() =>
        [.. FallbackCandidates.Select(f => (f.Family, Path: f.Candidates.FirstOrDefault(File.Exists))).Where(f => f.Path is not null)
            .Select(f => (f.Family, f.Path!)).Where(f => f.Item2 != RegularPath.Value)]);

    // Font files are read once per process, each when first needed (a report in Latin script never reads the CJK font).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<byte[]?>> Files = new();

    private static readonly Lock InstallLock = new();

    /// <summary>The installed fallback families, in the order they are tried.</summary>
    public static IReadOnlyList<string> Fallbacks => [.. InstalledFallbacks.Value.Select(f => f.Family)];

    /// <summary>
    /// Installs the resolver. PDFsharp takes its font resolver in a process-wide setting (its API, not our choice), set
    /// once here before the first PDF is drawn. Throws when no main font is available, with what to install.
    /// </summary>
    public static void EnsureInstalled()
    {
        if (RegularPath.Value is not { } path || !File.Exists(path))
            throw new InvalidOperationException(
                "PDF reports need a TrueType font: install fonts-noto-core (or fonts-liberation), or set LEORA_PDF_FONT to a .ttf file.");
        lock (InstallLock)
        {
            if (GlobalFontSettings.FontResolver is not PdfFonts) GlobalFontSettings.FontResolver = new PdfFonts();
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        if (familyName != Family) return new(familyName, bold, false);
        return bold && BoldPath.Value is not null ? new(MainBold) : new(MainRegular, bold, false);
    }

    public byte[]? GetFont(string faceName)
    {
        var path = faceName switch
        {
            MainRegular => RegularPath.Value,
            MainBold => BoldPath.Value,
            _ => InstalledFallbacks.Value.FirstOrDefault(f => f.Family == faceName).Path,
        };
        return path is null ? null : Files.GetOrAdd(path, p => new Lazy<byte[]?>(() => File.Exists(p) ? File.ReadAllBytes(p) : null)).Value;
    }
}
