namespace Leora.Jobs.Sqlite;

/// <summary>Settings of the SQLite store.</summary>
public sealed class SqliteJobStoreOptions
{
    /// <summary>The connection string, for example <c>Data Source=data/jobs.db</c>. Required. The file's folder is created if missing.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting. Defaults to <c>FULL</c>: an acknowledged enqueue survives a power cut.
    /// <c>NORMAL</c> is faster and still survives a process crash (WAL), but may lose the last commits on power loss.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>How long a statement waits for another process's write lock before failing. Defaults to 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
