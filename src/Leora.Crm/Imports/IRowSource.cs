namespace Leora.Crm.Imports;

/// <summary>The records of an import file, read forward only, header first.</summary>
internal interface IRowSource : IAsyncDisposable
{
    /// <summary>The next record, or null at the end.</summary>
    ValueTask<ImportRow?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>How far through the file the reader is, 0–1.</summary>
    double Position { get; }

    /// <summary>The text encoding the file was read with (for the import's record).</summary>
    string Encoding { get; }
}
