namespace Leora.Crm.Reports;

/// <summary>The report file formats and their content types.</summary>
internal static class ReportFormats
{
    public const string Csv = "csv";
    public const string Xlsx = "xlsx";

    public static bool IsValid(string? format) => format is Csv or Xlsx;

    public static string ContentType(string format) => format == Xlsx
        ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        : "text/csv; charset=utf-8";

    public static IReportWriter Create(string format, Stream output) => format == Xlsx ? new XlsxReportWriter(output) : new CsvReportWriter(output);
}
