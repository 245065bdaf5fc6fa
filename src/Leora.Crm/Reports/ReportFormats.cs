namespace Leora.Crm.Reports;

/// <summary>The report file formats and their content types.</summary>
internal static class ReportFormats
{
    public const string Csv = "csv";
    public const string Xlsx = "xlsx";
    public const string Pdf = "pdf";

    public static bool IsValid(string? format) => format is Csv or Xlsx or Pdf;

    public static string ContentType(string format) => format switch
    {
        Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Pdf => "application/pdf",
        _ => "text/csv; charset=utf-8",
    };

    /// <summary>A writer of <paramref name="format"/>; a PDF prints <paramref name="heading"/> and holds at most <paramref name="maxPdfRows"/> rows.</summary>
    public static IReportWriter Create(string format, Stream output, ReportHeading heading, int maxPdfRows) => format switch
    {
        Xlsx => new XlsxReportWriter(output),
        Pdf => new PdfReportWriter(output, heading, maxPdfRows),
        _ => new CsvReportWriter(output),
    };
}
