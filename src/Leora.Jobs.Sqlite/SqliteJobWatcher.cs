using Microsoft.Extensions.Hosting;

namespace Leora.Jobs.Sqlite;

/// <summary>
/// Wakes this process's idle workers when another process writes to the database file: SQLite has no notification
/// channel, but every commit in WAL mode appends to the <c>-wal</c> file next to the database, and the kernel reports
/// that write (inotify on Linux, through <see cref="FileSystemWatcher"/>) at no cost while nothing is written. Each
/// report is a <see cref="JobSignal"/>: the workers claim at once instead of at their next poll. A write that enqueued
/// nothing (a heartbeat, another worker's outcome) costs one empty claim. Runs only in a process with a worker.
/// </summary>
/// <remarks>
/// Polling stays on as the fallback: where the file system does not report changes (a network file system, where
/// SQLite's locking is not safe anyway), or after the watcher's event buffer overflowed (then it wakes the workers
/// once), the next poll finds the job. Writes of this process wake the watcher too; they are few while it is idle.
/// </remarks>
internal sealed class SqliteJobWatcher(SqliteJobStore store, JobSignal signal, Func<bool> hasWorker) : IHostedService, IDisposable
{
    private FileSystemWatcher? _watcher;

    /// <summary>Whether the watcher is running (for tests).</summary>
    public bool Watching => _watcher is { EnableRaisingEvents: true };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (store.DatabasePath is not { } path || !hasWorker()) return Task.CompletedTask;
        var folder = Path.GetDirectoryName(path);
        if (folder is null) return Task.CompletedTask;
        try
        {
            // A worker writes to the database: its folder may be created before the migration does it.
            Directory.CreateDirectory(folder);
            var watcher = new FileSystemWatcher(folder, Path.GetFileName(path) + "-wal")
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, _) => signal.Notify();
            watcher.Created += (_, _) => signal.Notify();
            watcher.Error += (_, _) => signal.Notify();
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            // Out of inotify watches, or no change notifications here: polling finds every job.
            _watcher?.Dispose();
            _watcher = null;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
    }
}
