namespace Leora.Crm.Imports;

/// <summary>The bytes one workbook may still inflate to.</summary>
internal sealed class XlsxBudget(long limit)
{
    private long _spent;

    public void Spend(long bytes)
    {
        _spent += bytes;
        if (_spent > limit) throw new ImportFileException($"The XLSX file expands to more than {limit / (1024 * 1024)} MB as read: a zip bomb?");
    }
}
