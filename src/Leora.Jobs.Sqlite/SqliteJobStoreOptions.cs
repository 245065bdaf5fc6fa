namespace Leora.Jobs.Sqlite;

/// <summary>Settings of the SQLite store.</summary>
public sealed class SqliteJobStoreOptions
{
    /// <summary>The connection string, for example <c>Data Source=data/jobs.db</c>. Required. The file's folder is created if missing.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for enqueues and for steering (cancel, retry, delete): the writes a caller
    /// is told succeeded. Defaults to <c>FULL</c>: an acknowledged enqueue survives a power cut.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for the worker's own writes (claims, outcomes, heartbeats, progress, rescue,
    /// cleanup). Defaults to <c>NORMAL</c>: in WAL mode such a commit survives a process crash but may be undone by a
    /// power cut, and undoing one only makes a job run again (at-least-once), never loses it; it saves an fsync per job.
    /// Set it to <c>FULL</c> to make every outcome durable against power loss too.
    /// </summary>
    public string WorkerSynchronous { get; set; } = "NORMAL";

    /// <summary>How long a statement waits for another process's write lock before failing. Defaults to 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a writing process checkpoints the WAL with <c>PRAGMA wal_checkpoint(TRUNCATE)</c>, which readers that
    /// never stop (a dashboard) cannot starve, so the WAL file stays bounded. Defaults to 10 seconds;
    /// <see cref="TimeSpan.Zero"/> leaves checkpoints to SQLite alone (its automatic ones, which such readers can starve).
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(10);
}
