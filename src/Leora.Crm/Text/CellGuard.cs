namespace Leora.Crm.Text;

/// <summary>
/// Guards exported CSV cells against formula injection: a value starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a
/// tab or a carriage return is prefixed with <c>'</c>, so that a spreadsheet opening the CSV shows it as text and never runs
/// it. Only where a spreadsheet would evaluate: a CSV field has no type, so a spreadsheet guesses; an XLSX cell typed as a
/// string is never evaluated, so <see cref="Reports.XlsxReportWriter"/> writes values as they are.
/// </summary>
internal static class CellGuard
{
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }
}
