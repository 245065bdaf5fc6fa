using System.Data.Common;
using System.Globalization;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Leora.Jobs.Sqlite;

// Enqueues. Single enqueues without a caller transaction are written by group commit (the core's GroupCommitQueue):
// the first is written at once; those that arrive while a write is in progress wait and go together in the next
// transaction, so they share one commit (one WAL fsync at synchronous=FULL) instead of queueing for one each. Each
// caller is answered only after the commit that holds its row, and each row is its own savepoint, so a row that fails
// fails only its caller.
public sealed partial class SqliteJobStore
{
    // Enough to share one fsync among every caller a busy process has waiting; small enough to keep one transaction short.
    private const int MaxEnqueueGroup = 256;

    // Page cache for a bulk insert, KiB per row (~0.5 KiB of table and index pages are dirtied per row, rounded up).
    // With SQLite's default 2 MB cache a 10,000-row transaction spills dirty pages into the WAL mid-transaction,
    // re-writing the same hot index pages many times (measured on a fresh file: 3–40× slower, erratic). Capped;
    // restored afterwards.
    private const int BulkCacheKibPerRow = 1;
    private const int DefaultCacheKib = 2000;
    private const int BulkCacheMaxKib = 64 * 1024;

    // Rows per multi-row INSERT in a bulk insert. One statement per row costs SQLite a statement start, an
    // sqlite_sequence update and a reset per row; 64 rows share them (measured: ~35% less CPU per row than 1, and more
    // rows per statement gained little). 64 × 9 parameters stays far below SQLite's limit of 32,766.
    private const int MultiRowCount = 64;
    private const int MultiRowParams = 9;

    private GroupCommitQueue<JobInsertParams, EnqueueResult>? _enqueueGroups;

    // Created on first use: the queue's writer is an instance method, and the store's constructors live elsewhere.
    private GroupCommitQueue<JobInsertParams, EnqueueResult> EnqueueGroups =>
        LazyInitializer.EnsureInitialized(ref _enqueueGroups, () => new(MaxEnqueueGroup, leadWritesInline: true, WriteEnqueueGroupAsync));

    /// <summary>Whether a group of single enqueues is being written (for tests).</summary>
    internal bool EnqueueGroupWriting => EnqueueGroups.Writing;

    /// <summary>How many single enqueues are waiting for the next group commit (for tests).</summary>
    internal int QueuedEnqueueCount => EnqueueGroups.QueuedCount;

    /// <inheritdoc />
    public Task<EnqueueResult> JobInsertAsync(JobInsertParams job, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (transaction is null) return EnqueueGroups.WriteAsync(job, cancellationToken);
        // In the caller's transaction: its commit is the caller's, so there is nothing to share.
        return WriteAsync(transaction, async (c, tx) =>
        {
            using var insert = new RowInserter(c, tx, NowMs);
            return await insert.InsertRowAsync(job, cancellationToken);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EnqueueResult>> JobInsertManyAsync(IReadOnlyList<JobInsertParams> jobs, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        // One transaction; prepared statements re-bound per row or per run of rows (SQLite has no round trip to save,
        // but each statement run has a fixed cost).
        return WriteAsync<IReadOnlyList<EnqueueResult>>(transaction, async (c, tx) =>
        {
            var results = new EnqueueResult[jobs.Count];
            var cacheKib = Math.Min(BulkCacheMaxKib, (long)jobs.Count * BulkCacheKibPerRow);
            var previousCache = cacheKib > DefaultCacheKib ? await RaiseCacheAsync(c, tx, cacheKib, cancellationToken) : null;
            try
            {
                using var insert = new RowInserter(c, tx, NowMs);
                for (var i = 0; i < jobs.Count;)
                {
                    // Runs of rows without an idempotency key (nor a concurrency key, which the multi-row insert does not bind) cannot conflict: they go MultiRowCount at a time in one
                    // statement. A keyed row, and the tail of a run, go one at a time (a key may be taken).
                    if (i + MultiRowCount <= jobs.Count && IsUnkeyedRun(jobs, i))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        insert.InsertUnkeyedRun(jobs, i, results);
                        i += MultiRowCount;
                    }
                    else
                    {
                        results[i] = await insert.InsertAsync(jobs[i], cancellationToken);
                        i++;
                    }
                }
            }
            finally
            {
                // The connection goes back to the pool (or stays the caller's): leave its cache as it was.
                if (previousCache is { } previous) await SetCacheAsync(c, tx, previous, CancellationToken.None);
            }
            return results;
        }, cancellationToken);
    }

    private static bool IsUnkeyedRun(IReadOnlyList<JobInsertParams> jobs, int start)
    {
        for (var i = start; i < start + MultiRowCount; i++)
            if (jobs[i].IdempotencyKey is not null || jobs[i].ConcurrencyKey is not null) return false;
        return true;
    }

    private static async Task<long?> RaiseCacheAsync(SqliteConnection c, SqliteTransaction tx, long kib, CancellationToken ct)
    {
        await using var read = Command(c, tx, "PRAGMA cache_size");
        var previous = Convert.ToInt64(await read.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        // A negative cache_size is KiB (the default, -2000); a positive one is pages, set on purpose: left alone.
        if (previous > 0 || -previous >= kib) return null;
        await SetCacheAsync(c, tx, -kib, ct);
        return previous;
    }

    private static Task SetCacheAsync(SqliteConnection c, SqliteTransaction tx, long value, CancellationToken ct) =>
        ExecAsync(c, tx, "PRAGMA cache_size = " + value.ToString(CultureInfo.InvariantCulture), ct);

    /// <summary>
    /// Writes one group of single enqueues in one transaction and answers each caller after its commit. When the
    /// transaction fails, nothing of the group was committed: the queue hands every caller the error, none a success.
    /// </summary>
    private async Task WriteEnqueueGroupAsync(IReadOnlyList<GroupCommitQueue<JobInsertParams, EnqueueResult>.Entry> group)
    {
        var results = new EnqueueResult[group.Count];
        var errors = new Exception?[group.Count];
        // Not cancelled by any one caller: the group holds other callers' rows.
        await WriteAsync(null, async (c, tx) =>
        {
            using var insert = new RowInserter(c, tx, NowMs);
            if (group.Count == 1)
            {
                results[0] = await insert.InsertRowAsync(group[0].Item, CancellationToken.None);
                return true;
            }
            // In order, as if the calls had come one after another: a key repeated within the group finds the
            // earlier row (Existing), exactly as it would after that row's own commit.
            for (var i = 0; i < group.Count; i++)
            {
                await tx.SaveAsync("leora_enqueue", CancellationToken.None);
                try
                {
                    results[i] = await insert.InsertRowAsync(group[i].Item, CancellationToken.None);
                }
                catch (SqliteException ex) when (raw.sqlite3_get_autocommit(c.Handle) == 0)
                {
                    // The statement failed but the transaction is intact (a constraint, a trigger's RAISE(ABORT)):
                    // undo this row alone and fail only its caller. When SQLite has rolled the whole transaction
                    // back itself (I/O error, disk full, RAISE(ROLLBACK)), the filter is false and the group fails.
                    await tx.RollbackAsync("leora_enqueue", CancellationToken.None);
                    errors[i] = IsDiskFull(ex) ? DiskFull(ex) : ex;
                }
                await tx.ReleaseAsync("leora_enqueue", CancellationToken.None);
            }
            return true;
        }, CancellationToken.None);
        for (var i = 0; i < group.Count; i++)
        {
            if (errors[i] is { } error) group[i].TrySetException(error);
            else group[i].TrySetResult(results[i]);
        }
    }

    private static readonly Lazy<string> MultiRowInsertSql = new(() => SqliteSql.JobInsertMany(MultiRowCount));

    /// <summary>
    /// The insert statement prepared once and re-bound per row (by parameter object, not by name lookup). The new id
    /// comes from <c>sqlite3_last_insert_rowid</c>; a taken idempotency key inserts nothing and the existing id (or row)
    /// is read.
    /// </summary>
    private sealed class RowInserter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _tx;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _kind, _queue, _priority, _payload, _maxAttempts, _key, _runAt, _concurrencyKey, _traceParent, _traceState;
        private readonly long _now;
        private SqliteCommand? _existing;
        private sqlite3_stmt? _multi;
        private sqlite3_stmt? _sequence;

        public RowInserter(SqliteConnection connection, SqliteTransaction tx, long now)
        {
            _connection = connection;
            _tx = tx;
            _now = now;
            _insert = Command(connection, tx, SqliteSql.JobInsert);
            var p = _insert.Parameters;
            _kind = p.Add("@kind", SqliteType.Text);
            _queue = p.Add("@queue", SqliteType.Text);
            _priority = p.Add("@priority", SqliteType.Integer);
            _payload = p.Add("@payload", SqliteType.Text);
            _maxAttempts = p.Add("@max_attempts", SqliteType.Integer);
            _key = p.Add("@idempotency_key", SqliteType.Text);
            p.AddWithValue("@now", now);
            _runAt = p.Add("@run_at", SqliteType.Integer);
            _concurrencyKey = p.Add("@concurrency_key", SqliteType.Text);
            _traceParent = p.Add("@trace_parent", SqliteType.Text);
            _traceState = p.Add("@trace_state", SqliteType.Text);
            _insert.Prepare();
        }

        /// <summary>Inserts one row; answers with its id, or the existing job's id for a taken idempotency key (bulk inserts).</summary>
        public async Task<EnqueueResult> InsertAsync(JobInsertParams job, CancellationToken ct)
        {
            if (await ExecuteAsync(job, ct) is { } id) return new EnqueueResult(id, false);
            var existing = Existing(SqliteSql.JobIdByIdempotencyKey, job.IdempotencyKey!);
            return new EnqueueResult(Convert.ToInt64(await existing.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture), true);
        }

        /// <summary>
        /// Inserts one row; answers with the row as written (built from what was bound: the statement sets nothing else
        /// but the columns' defaults), or the existing job's row for a taken idempotency key (single enqueues).
        /// </summary>
        public async Task<EnqueueResult> InsertRowAsync(JobInsertParams job, CancellationToken ct)
        {
            if (await ExecuteAsync(job, ct) is { } id)
            {
                return new EnqueueResult(new JobRow
                {
                    Id = id,
                    Kind = job.Kind,
                    Queue = job.Queue,
                    Status = JobStatus.Pending,
                    Priority = job.Priority,
                    Payload = job.Payload,
                    Attempts = 0,
                    MaxAttempts = job.MaxAttempts,
                    IdempotencyKey = job.IdempotencyKey,
                    Errors = "[]",
                    CancelRequested = false,
                    CreatedAt = FromUnixMs(_now),
                    RunAt = FromUnixMs(RunAt(job)),
                    ConcurrencyKey = job.ConcurrencyKey,
                    TraceParent = job.TraceParent,
                    TraceState = job.TraceState,
                }, false);
            }
            var existing = Existing(SqliteSql.JobGetByIdempotencyKey, job.IdempotencyKey!);
            await using var reader = await existing.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
                throw new InvalidOperationException("The job insert wrote no row and found no job with its idempotency key.");
            return new EnqueueResult(ReadRow(reader), true);
        }

        /// <summary>Runs the insert. The new id, or null when the idempotency key was taken (nothing was written).</summary>
        private async Task<long?> ExecuteAsync(JobInsertParams job, CancellationToken ct)
        {
            _kind.Value = job.Kind;
            _queue.Value = job.Queue;
            _priority.Value = job.Priority;
            _payload.Value = job.Payload;
            _maxAttempts.Value = job.MaxAttempts;
            _key.Value = (object?)job.IdempotencyKey ?? DBNull.Value;
            _runAt.Value = RunAt(job);
            _concurrencyKey.Value = (object?)job.ConcurrencyKey ?? DBNull.Value;
            _traceParent.Value = (object?)job.TraceParent ?? DBNull.Value;
            _traceState.Value = (object?)job.TraceState ?? DBNull.Value;
            if (await _insert.ExecuteNonQueryAsync(ct) == 1) return raw.sqlite3_last_insert_rowid(_connection.Handle);
            if (job.IdempotencyKey is null)
                throw new InvalidOperationException("The job insert wrote no row and reported no conflict.");
            return null;
        }

        // The lookup of a taken key, prepared on first use: by id for bulk inserts, the whole row for single ones.
        private SqliteCommand Existing(string sql, string key)
        {
            if (_existing is null || _existing.CommandText != sql)
            {
                _existing?.Dispose();
                _existing = Command(_connection, _tx, sql);
                _existing.Parameters.Add("@idempotency_key", SqliteType.Text);
            }
            _existing.Parameters[0].Value = key;
            return _existing;
        }

        /// <summary>
        /// Inserts <see cref="MultiRowCount"/> rows without idempotency keys from <paramref name="start"/> in one
        /// statement, through SQLite's own API: parameters bound by position (ADO.NET binds by name, and SQLite finds
        /// a name by a linear scan, which is quadratic over a statement of 448 parameters).
        /// </summary>
        public void InsertUnkeyedRun(IReadOnlyList<JobInsertParams> jobs, int start, EnqueueResult[] results)
        {
            var db = _connection.Handle!;
            _multi ??= Prepare(db, MultiRowInsertSql.Value);
            _sequence ??= Prepare(db, SqliteSql.JobIdSequence);
            var before = Step(db, _sequence) == raw.SQLITE_ROW ? raw.sqlite3_column_int64(_sequence, 0) : 0;
            raw.sqlite3_reset(_sequence);
            for (var r = 0; r < MultiRowCount; r++)
            {
                var job = jobs[start + r];
                var p = r * MultiRowParams;
                Check(db, raw.sqlite3_bind_text(_multi, p + 1, job.Kind));
                Check(db, raw.sqlite3_bind_text(_multi, p + 2, job.Queue));
                Check(db, raw.sqlite3_bind_int(_multi, p + 3, job.Priority));
                Check(db, raw.sqlite3_bind_text(_multi, p + 4, job.Payload));
                Check(db, raw.sqlite3_bind_int(_multi, p + 5, job.MaxAttempts));
                Check(db, raw.sqlite3_bind_int64(_multi, p + 6, _now));
                Check(db, raw.sqlite3_bind_int64(_multi, p + 7, RunAt(job)));
                Check(db, job.TraceParent is { } parent ? raw.sqlite3_bind_text(_multi, p + 8, parent) : raw.sqlite3_bind_null(_multi, p + 8));
                Check(db, job.TraceState is { } state ? raw.sqlite3_bind_text(_multi, p + 9, state) : raw.sqlite3_bind_null(_multi, p + 9));
            }
            Step(db, _multi);
            raw.sqlite3_reset(_multi);
            // AUTOINCREMENT gives each new row max(largest id ever, largest id now) + 1, and the rows of one statement are
            // inserted in VALUES order under the write lock: so the new ids are before+1 … before+n, in input order.
            // Checked rather than assumed: n changes, ending exactly at before + n.
            var last = raw.sqlite3_last_insert_rowid(db);
            if (raw.sqlite3_changes(db) != MultiRowCount || last != before + MultiRowCount)
                throw new InvalidOperationException($"A multi-row job insert did not get consecutive ids (sequence {before}, last {last}).");
            for (var r = 0; r < MultiRowCount; r++) results[start + r] = new EnqueueResult(before + 1 + r, false);
        }

        private long RunAt(JobInsertParams job) =>
            job.RunAt is { } runAt ? runAt.ToUnixTimeMilliseconds() : _now + (job.Delay is { } delay ? (long)delay.TotalMilliseconds : 0);

        private static sqlite3_stmt Prepare(sqlite3 db, string sql)
        {
            Check(db, raw.sqlite3_prepare_v2(db, sql, out var stmt));
            return stmt;
        }

        private static int Step(sqlite3 db, sqlite3_stmt stmt)
        {
            var rc = raw.sqlite3_step(stmt);
            if (rc is raw.SQLITE_ROW or raw.SQLITE_DONE) return rc;
            // sqlite3_reset returns the statement's error, and leaves it ready for the next run.
            raw.sqlite3_reset(stmt);
            SqliteException.ThrowExceptionForRC(rc, db);
            return rc;
        }

        private static void Check(sqlite3 db, int rc) => SqliteException.ThrowExceptionForRC(rc, db);

        public void Dispose()
        {
            _insert.Dispose();
            _existing?.Dispose();
            _multi?.Dispose();
            _sequence?.Dispose();
        }
    }
}
