using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

// Keeping the WAL file bounded for months beside readers that never stop (a dashboard, reports).
//
// SQLite's own checkpoint (PASSIVE, after a commit that takes the WAL past 1000 pages) copies pages back into the
// database, but the WAL only starts again from its beginning when a writer finds no reader still using it: with readers
// that overlap without a gap, that never happens, and the file grows by every commit (measured: 142 MB after 6,000
// enqueues beside four overlapping readers; SqliteWalTests). A TRUNCATE checkpoint waits (up to a short busy timeout)
// until the readers have moved to the newest snapshot, which new readers take from the database file alone once every
// page is copied back, then empties the file: a reader cannot starve it. One that outlasts the wait makes the checkpoint
// give up; the next try comes after a short pause instead of a whole interval and waits twice as long (up to 2 s), so a
// loaded machine whose readers run slow still empties the WAL within about an interval (CI once saw six checkpoints given up
// in 30 s, three in a row, and a 73 MB WAL when each waited a full interval to try again).
public sealed partial class SqliteJobStore
{
    // The longest a checkpoint waits for readers (and so holds back this file's writers): dashboard reads take
    // milliseconds; a longer reader makes this checkpoint give up, and the next one try again sooner and wait longer.
    private const int CheckpointBusyMs = 250;
    private const int CheckpointBusyMaxMs = 2000;
    private static readonly TimeSpan CheckpointRetryPause = TimeSpan.FromMilliseconds(200);

    private long _lastCheckpoint = Stopwatch.GetTimestamp();
    private int _checkpointing;
    // Checkpoints given up in a row since the last one that completed: shortens the pause and lengthens the wait.
    private int _checkpointsBusyInRow;

    /// <summary>Background checkpoints so far: completed, given up (busy), failed; for tests and diagnostics.</summary>
    internal (int Completed, int Busy, int Failed) CheckpointCounts => (_checkpointsCompleted, _checkpointsBusy, _checkpointsFailed);
    internal Exception? LastCheckpointError { get; private set; }
    private int _checkpointsCompleted, _checkpointsBusy, _checkpointsFailed;

    /// <summary>For tests: the next commit starts a checkpoint as if the interval had passed.</summary>
    internal void MakeCheckpointDue() => Volatile.Write(ref _lastCheckpoint, Stopwatch.GetTimestamp() - (long)(_checkpointInterval.TotalSeconds * Stopwatch.Frequency));

    /// <summary>After a commit: starts a checkpoint in the background when the last one is older than the interval.</summary>
    private void RequestCheckpoint()
    {
        if (_checkpointInterval <= TimeSpan.Zero || DatabasePath is null) return;
        var busyInRow = Volatile.Read(ref _checkpointsBusyInRow);
        var pause = busyInRow > 0 && CheckpointRetryPause < _checkpointInterval ? CheckpointRetryPause : _checkpointInterval;
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastCheckpoint)) < pause) return;
        if (Interlocked.CompareExchange(ref _checkpointing, 1, 0) != 0) return;
        var busyMs = (int)Math.Min(CheckpointBusyMaxMs, (long)CheckpointBusyMs << Math.Min(busyInRow, 4));
        _ = Task.Run(async () =>
        {
            try
            {
                if (await CheckpointAsync(busyMs, CancellationToken.None))
                {
                    Interlocked.Increment(ref _checkpointsCompleted);
                    Volatile.Write(ref _checkpointsBusyInRow, 0);
                }
                else
                {
                    Interlocked.Increment(ref _checkpointsBusy);
                    Interlocked.Increment(ref _checkpointsBusyInRow);
                }
            }
            catch (Exception ex) when (ex is SqliteException or IOException or ObjectDisposedException or JobStoreFullException or JobStoreUnavailableException)
            {
                Interlocked.Increment(ref _checkpointsFailed);
                LastCheckpointError = ex;
                // The next commit after the interval tries again; SQLite's own checkpoints go on meanwhile.
            }
            finally
            {
                Volatile.Write(ref _lastCheckpoint, Stopwatch.GetTimestamp());
                Volatile.Write(ref _checkpointing, 0);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Runs <c>PRAGMA wal_checkpoint(TRUNCATE)</c>: copies the WAL into the database and empties it once no reader uses
    /// it. Returns whether it completed (false: a reader or another process's writer held on past the wait,
    /// <paramref name="busyMs"/> milliseconds).
    /// </summary>
    internal async Task<bool> CheckpointAsync(int busyMs, CancellationToken cancellationToken)
    {
        // This process's writers queue behind the checkpoint instead of spinning in SQLite's busy handler.
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using (var wait = connection.CreateCommand())
            {
                wait.CommandText = $"PRAGMA busy_timeout = {busyMs}";
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            // One row: busy (1 when it could not finish), pages in the WAL, pages copied back.
            return await reader.ReadAsync(cancellationToken) && reader.GetInt64(0) == 0;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
