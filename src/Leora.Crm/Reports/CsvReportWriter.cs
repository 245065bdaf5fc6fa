using System.Globalization;
using System.Text;
using CsvHelper;
using Leora.Crm.Text;

namespace Leora.Crm.Reports;

/// <summary>Writes a report as UTF-8 CSV (with a BOM, so spreadsheets read it as UTF-8), cells guarded by <see cref="CellGuard"/>.</summary>
internal sealed class CsvReportWriter : IReportWriter
{
    private readonly StreamWriter _text;
    private readonly CsvWriter _csv;

    public CsvReportWriter(Stream output)
    {
        _text = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 65536, leaveOpen: true);
        // Injection None: the guard is ours (CellGuard), applied to CSV only (an XLSX string cell is never evaluated). Rows may differ in width (rejected rows keep theirs).
        _csv = CsvWriter.Create(_text, new CsvWriterOptions { HasHeader = false, Injection = CsvInjection.None, NewLine = "\r\n", ValidateFieldCount = false }, leaveOpen: true);
    }

    public ValueTask WriteRowAsync(IReadOnlyList<object?> values, CancellationToken cancellationToken)
    {
        var fields = new string[values.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = values[i] switch
            {
                null => "",
                long n => n.ToString(CultureInfo.InvariantCulture),
                string s => CellGuard.Text(s),
                var v => CellGuard.Text(Convert.ToString(v, CultureInfo.InvariantCulture)),
            };
        }
        return _csv.WriteRecordAsync(fields, cancellationToken);
    }

    public int? RowCap => null;

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await _csv.FlushAsync(cancellationToken);
        await _text.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _csv.DisposeAsync();
        await _text.DisposeAsync();
    }
}
