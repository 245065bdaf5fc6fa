namespace Leora.Crm.Text;

/// <summary>
/// Guards exported cells against formula injection (CSV/XLSX): a value starting with <c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>, a tab or a carriage return is prefixed with <c>'</c>, so that a spreadsheet shows it as text and never runs it.
/// </summary>
internal static class CellGuard
{
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }
}
