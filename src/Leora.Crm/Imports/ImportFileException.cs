namespace Leora.Crm.Imports;

/// <summary>
/// An import file refused by the import's own checks (a bound passed, a workbook without a sheet), with a message that
/// says why and names the setting. Any other exception a reader throws means the file is damaged (cut off, a ZIP that
/// lies about its sizes): the import reports it as such. Either fails the import at once: no retry mends a file.
/// </summary>
internal sealed class ImportFileException : Exception
{
    public ImportFileException() { }
    public ImportFileException(string message) : base(message) { }
    public ImportFileException(string message, Exception innerException) : base(message, innerException) { }
}
