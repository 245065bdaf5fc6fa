namespace Leora.Crm.Reports;

/// <summary>Writes a report's rows, one at a time, to a stream: memory stays flat whatever the row count.</summary>
internal interface IReportWriter : IAsyncDisposable
{
    /// <summary>Writes one row; values are strings (guarded against formula injection), numbers (long) or null.</summary>
    ValueTask WriteRowAsync(IReadOnlyList<object?> values, CancellationToken cancellationToken);

    /// <summary>Most rows the file holds (later rows are counted, not written), or null when it holds every row.</summary>
    int? RowCap { get; }

    /// <summary>Finishes the file (the stream stays open).</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
