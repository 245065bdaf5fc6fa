using System.IO.Compression;

namespace Leora.Crm.Imports;

/// <summary>
/// Refuses ZIP files that would expand out of bounds (a zip bomb posing as XLSX) before anything is inflated: too many
/// entries, too many bytes declared in all, or an entry compressed beyond the allowed ratio. The bytes actually inflated
/// are counted again while reading (<see cref="LimitedReadStream"/>), since declared sizes can lie.
/// </summary>
internal static class XlsxGuard
{
    /// <summary>Null when the archive is acceptable, else why not.</summary>
    public static string? Check(ZipArchive zip, CrmOptions options)
    {
        if (zip.Entries.Count > options.MaxXlsxEntries)
            return $"The XLSX file has {zip.Entries.Count} entries (at most {options.MaxXlsxEntries} are accepted).";
        long total = 0;
        foreach (var entry in zip.Entries)
        {
            total += entry.Length;
            if (total > options.MaxXlsxUncompressedBytes)
                return $"The XLSX file expands to more than {options.MaxXlsxUncompressedBytes / (1024 * 1024)} MB: a zip bomb?";
            // Small entries compress oddly well without harm; the ratio matters from 1 MB up.
            if (entry.Length > 1024 * 1024 && entry.Length / Math.Max(1, entry.CompressedLength) > options.MaxXlsxCompressionRatio)
                return $"The XLSX entry '{entry.FullName}' is compressed {entry.Length / Math.Max(1, entry.CompressedLength)} to 1 (at most {options.MaxXlsxCompressionRatio} to 1 is accepted): a zip bomb?";
        }
        return null;
    }

    /// <summary>Checks a whole uploaded file; null when it is an acceptable workbook.</summary>
    public static string? Check(Stream stream, CrmOptions options)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            if (Check(zip, options) is { } problem) return problem;
            return zip.GetEntry("xl/workbook.xml") is null ? "The ZIP file is not an XLSX workbook (no xl/workbook.xml)." : null;
        }
        catch (InvalidDataException ex)
        {
            return $"The XLSX file is damaged: {ex.Message}";
        }
    }
}
