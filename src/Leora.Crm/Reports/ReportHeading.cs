namespace Leora.Crm.Reports;

/// <summary>
/// What a printed report says about itself on its first page (title, filters, when it was generated), and how its columns
/// behave on a page too narrow for all of them. CSV and XLSX files hold data only and ignore it.
/// </summary>
internal sealed record ReportHeading(string Title, string Filters, DateTimeOffset GeneratedAt)
{
    /// <summary>Columns whose values are read whole (e-mails, phone numbers, addresses of web sites, times): never wrapped between words.</summary>
    public IReadOnlySet<string> KeepWhole { get; init; } = new HashSet<string>();

    /// <summary>Columns left out of a PDF, in this order, while the page cannot hold every column legibly (the first page names them).</summary>
    public IReadOnlyList<string> DropFirst { get; init; } = [];
}
