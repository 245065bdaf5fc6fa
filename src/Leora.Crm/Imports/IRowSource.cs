namespace Leora.Crm.Imports;

/// <summary>The records of an import file, read forward only, header first.</summary>
internal interface IRowSource : IAsyncDisposable
{
    /// <summary>The next record and its row number in the file (the header is row 1), or null at the end.</summary>
    ValueTask<(long Row, string[] Fields)?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>How far through the file the reader is, 0–1.</summary>
    double Position { get; }

    /// <summary>The text encoding the file was read with (for the import's record).</summary>
    string Encoding { get; }
}
