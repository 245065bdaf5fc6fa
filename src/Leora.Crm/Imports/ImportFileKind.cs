namespace Leora.Crm.Imports;

/// <summary>Tells an import file's kind by its content: XLSX (a ZIP), CSV (text), or neither.</summary>
internal static class ImportFileKind
{
    public const string Csv = "csv";
    public const string Xlsx = "xlsx";

    /// <summary>"xlsx", "csv", or null with the reason the file is neither.</summary>
    public static (string? Kind, string? Problem) Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return (Xlsx, null);
        if (head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
            return (null, "Legacy Excel (.xls) files are not supported: save the sheet as .xlsx or .csv.");
        var utf16 = head.Length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF));
        if (!utf16 && head.Contains((byte)0)) return (null, "The file is neither CSV text nor an XLSX workbook.");
        return (Csv, null);
    }
}
