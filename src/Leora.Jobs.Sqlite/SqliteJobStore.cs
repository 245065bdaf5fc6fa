using System.Data.Common;
using System.Globalization;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

/// <summary>
/// The SQLite store: one database file, WAL mode, a busy timeout, every write in <c>BEGIN IMMEDIATE</c>;
/// correct across several processes on one file.
/// </summary>
public sealed partial class SqliteJobStore : IJobStore, IDisposable
{
    private static readonly string[] Statuses = ["pending", "processing", "completed", "failed", "cancelled", "waiting"];
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _workerSynchronous;
    private readonly LimitedClaimGate _limitGate = new();
    private readonly TimeSpan _checkpointInterval;

    /// <summary>Creates a store over the database named by <paramref name="options"/>.</summary>
    public SqliteJobStore(SqliteJobStoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("The SQLite connection string is empty.", nameof(options));
        foreach (var level in (string[])[options.Synchronous, options.WorkerSynchronous])
            if (level?.ToUpperInvariant() is not ("OFF" or "NORMAL" or "FULL" or "EXTRA"))
                throw new ArgumentException($"Synchronous must be OFF, NORMAL, FULL or EXTRA (was '{level}').", nameof(options));
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"The SQLite connection string is not valid: {ex.Message}", nameof(options), ex);
        }
        if (string.IsNullOrWhiteSpace(builder.DataSource))
            throw new ArgumentException("The SQLite connection string names no Data Source.", nameof(options));
        builder.Pooling = true;
        if (builder.Mode is not SqliteOpenMode.Memory && builder.DataSource != ":memory:")
        {
            // The folder is created by MigrateAsync, not here: a store that only reads must touch nothing on disk.
            DatabasePath = Path.GetFullPath(builder.DataSource);
        }
        _connectionString = builder.ToString();
        // recursive_triggers: a workflow job cancelled by its parent's trigger must fire that trigger for its own dependants
        // (migration 11); no statement of the store uses REPLACE, the other behaviour it changes.
        _pragmas = $"PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {options.Synchronous.ToUpperInvariant()}; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = {JournalSizeLimit}; PRAGMA recursive_triggers = ON;";
        _workerSynchronous = $"PRAGMA synchronous = {options.WorkerSynchronous.ToUpperInvariant()};";
        if (options.CheckpointInterval < TimeSpan.Zero)
            throw new ArgumentException($"CheckpointInterval must not be negative (was {options.CheckpointInterval}).", nameof(options));
        _checkpointInterval = options.CheckpointInterval;
        _time = time;
    }

    /// <summary>The full path of the database file (null for an in-memory database).</summary>
    public string? DatabasePath { get; }

    /// <inheritdoc />
    public string Provider => "sqlite";

    /// <summary>
    /// Opens a connection to the store's database with its settings applied. Callers outside the store take one through
    /// <see cref="IJobClient.OpenConnectionAsync"/> (or <see cref="IJobStore.OpenConnectionAsync"/>).
    /// </summary>
    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = _pragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>SQLite has no schemas: always null.</remarks>
    public string? Schema => null;

    /// <inheritdoc />
    async ValueTask<DbConnection> IJobStore.OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenConnectionAsync(cancellationToken);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>
    /// Applies the migrations numbered up to <paramref name="upTo"/> (all of them with <see cref="int.MaxValue"/>); the
    /// upgrade tests build databases of every earlier schema with it. Refuses a database newer than this build knows.
    /// </summary>
    internal async Task MigrateAsync(int upTo, CancellationToken cancellationToken)
    {
        try
        {
            await MigrateCoreAsync(upTo, cancellationToken);
        }
        catch (SqliteException ex) when (IsDiskFull(ex))
        {
            throw DiskFull(ex);
        }
    }

    private async Task MigrateCoreAsync(int upTo, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(DatabasePath) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            // WAL lets readers run beside the one writer; it is a property of the file, set once.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecAsync(connection, tx, SqliteSql.MigrationsTable, cancellationToken);
        var applied = Convert.ToInt32(await ScalarAsync(connection, tx, SqliteSql.MigrationVersion, cancellationToken), CultureInfo.InvariantCulture);
        if (applied > Migrations.Value[^1].Version) throw JobSchemaTooNewException.For(Provider, applied, Migrations.Value[^1].Version);
        foreach (var (version, sql) in Migrations.Value.Where(m => m.Version > applied && m.Version <= upTo))
        {
            await ExecAsync(connection, tx, sql, cancellationToken);
            await using var record = Command(connection, tx, SqliteSql.MigrationRecord);
            record.Parameters.AddWithValue("@version", version);
            record.Parameters.AddWithValue("@now", NowMs);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<(int Applied, int Latest)> MigrationVersionAsync(CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            // A read: a database that was never migrated has no migrations table, and gets none from here.
            if (Convert.ToInt64(await ScalarAsync(connection, null, SqliteSql.MigrationsTableExists, cancellationToken), CultureInfo.InvariantCulture) == 0)
                return (0, Migrations.Value[^1].Version);
            var applied = Convert.ToInt32(await ScalarAsync(connection, null, SqliteSql.MigrationVersion, cancellationToken), CultureInfo.InvariantCulture);
            return (applied, Migrations.Value[^1].Version);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The space free on the volume that holds the database file (null for an in-memory database).</remarks>
    public Task<long?> StorageAvailableBytesAsync(CancellationToken cancellationToken) =>
        Task.FromResult(SqliteDiskFull.FreeBytes(DatabasePath));

    private static readonly Lazy<IReadOnlyList<(int Version, string Sql)>> Migrations =
        new(() => EmbeddedMigrations.Load(typeof(SqliteJobStore).Assembly, "Leora.Jobs.Sqlite.Migrations."));

    /// <inheritdoc />
    public async Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        return _time.GetUtcNow();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    private static async Task ExecAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql);
        return await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction: the caller's, or a new BEGIN IMMEDIATE one that is committed.
    /// <paramref name="workerWrite"/>: a write of the worker's own (claim, outcome…), committed at <see cref="SqliteJobStoreOptions.WorkerSynchronous"/>.
    /// </summary>
    private async Task<T> WriteAsync<T>(DbTransaction? callerTx, Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct,
        bool workerWrite = false)
    {
        if (callerTx is not null)
        {
            if (callerTx is not SqliteTransaction { Connection: { } callerConnection } sqliteTx)
                throw new ArgumentException("The transaction must be an open SqliteTransaction on the jobs database.", "transaction");
            await RequireJobsDatabaseAsync(callerConnection, ct);
            try
            {
                return await work(callerConnection, sqliteTx);
            }
            catch (SqliteException ex) when (IsDiskFull(ex))
            {
                throw DiskFull(ex);
            }
            catch (SqliteException ex) when (IsBusy(ex))
            {
                throw Busy(ex);
            }
        }
        // SQLite has one writer per file. Writers of this process queue here, in order, instead of all spinning in
        // SQLite's busy handler (which sleeps and retries): only one connection per process competes for the file lock.
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenConnectionAsync(ct);
            if (workerWrite) await ExecAsync(connection, null, _workerSynchronous, ct);
            // BeginTransaction() issues BEGIN IMMEDIATE: the write lock is taken up front.
            await using var tx = connection.BeginTransaction(deferred: false);
            var result = await work(connection, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        catch (SqliteException ex) when (IsDiskFull(ex))
        {
            // SQLite rolled the statement (or the transaction) back: nothing of it was kept.
            throw DiskFull(ex);
        }
        catch (SqliteException ex) when (IsBusy(ex))
        {
            // The write lock stayed with another process past the busy timeout: BEGIN IMMEDIATE wrote nothing.
            throw Busy(ex);
        }
        finally
        {
            _writeGate.Release();
            // The WAL grows by writes only, so writes are what start a checkpoint (every process that writes, at most one per interval).
            RequestCheckpoint();
        }
    }

    // When the WAL starts again from its beginning, SQLite truncates a file larger than this (64 MiB) instead of keeping
    // it at its largest size: a burst does not leave the file big for good.
    private const long JournalSizeLimit = 64L << 20;

    private string? _databaseFile;

    /// <summary>
    /// Refuses a caller's connection to another database file: the job would be committed where no worker of this store
    /// looks. Both sides are named as SQLite names an open database (<c>sqlite3_db_filename</c>: the full path, resolved
    /// the same way for both) and normalised, so two spellings of one path agree. In-memory databases are compared by name.
    /// </summary>
    private async Task RequireJobsDatabaseAsync(SqliteConnection caller, CancellationToken ct)
    {
        if (_databaseFile is null)
        {
            await using var own = await OpenConnectionAsync(ct);
            _databaseFile = own.DataSource;
        }
        var theirs = caller.DataSource;
        var same = _databaseFile.Length > 0
            ? theirs.Length > 0 && string.Equals(Path.GetFullPath(theirs), Path.GetFullPath(_databaseFile), StringComparison.Ordinal)
            : theirs.Length == 0 && string.Equals(new SqliteConnectionStringBuilder(caller.ConnectionString).DataSource,
                new SqliteConnectionStringBuilder(_connectionString).DataSource, StringComparison.Ordinal);
        if (!same)
            throw new ArgumentException(
                $"The transaction is on another database ('{Shown(theirs)}') than the jobs database ('{Shown(_databaseFile)}'): " +
                "a job enqueued in it would never be seen by this store. Begin the transaction on a connection to the jobs database " +
                "(IJobStore.OpenConnectionAsync opens one).", "transaction");

        static string Shown(string file) => file.Length == 0 ? ":memory:" : file;
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(ct);
            return await work(connection);
        }
        catch (SqliteException ex) when (IsDiskFull(ex))
        {
            // Reads can need space too: a new WAL index, a temporary table for a sort.
            throw DiskFull(ex);
        }
        catch (SqliteException ex) when (IsBusy(ex))
        {
            throw Busy(ex);
        }
    }

    private bool IsDiskFull(SqliteException error) => SqliteDiskFull.Is(error, () => SqliteDiskFull.FreeBytes(DatabasePath));

    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes included: another connection held the lock past the busy timeout.
    private static bool IsBusy(SqliteException error) => (error.SqliteErrorCode & 0xFF) is 5 or 6;

    private JobStoreUnavailableException Busy(SqliteException error) => new(
        $"The jobs database {DatabasePath ?? "(in memory)"} is busy: another connection held its lock longer than the busy timeout ({error.Message}). " +
        "Nothing of the failed statement was kept; retry it.", error);

    // The path is for the operator's log; the HTTP API answers with its own words and does not show it.
    private JobStoreFullException DiskFull(SqliteException error) => new(
        $"The jobs database's disk is full: SQLite could not write to {DatabasePath ?? "its in-memory database"} ({error.Message}). " +
        "Nothing of the failed write was kept; free space on the volume that holds the file.", error);

    private static JobRow ReadRow(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Kind = r.GetString(1),
        Queue = r.GetString(2),
        Status = JobNames.ParseStatus(r.GetString(3)),
        Priority = r.GetInt32(4),
        Payload = r.GetString(5),
        Attempts = r.GetInt32(6),
        MaxAttempts = r.GetInt32(7),
        IdempotencyKey = r.IsDBNull(8) ? null : r.GetString(8),
        LockToken = r.IsDBNull(9) ? null : Guid.ParseExact(r.GetString(9), "N"),
        LockedUntil = Time(r, 10),
        LockedBy = r.IsDBNull(11) ? null : r.GetString(11),
        Progress = r.IsDBNull(12) ? null : r.GetInt32(12),
        ProgressMessage = r.IsDBNull(13) ? null : r.GetString(13),
        Result = r.IsDBNull(14) ? null : r.GetString(14),
        Errors = r.GetString(15),
        CancelRequested = r.GetInt64(16) != 0,
        CreatedAt = Time(r, 17)!.Value,
        RunAt = Time(r, 18)!.Value,
        StartedAt = Time(r, 19),
        CompletedAt = Time(r, 20),
        ConcurrencyKey = r.IsDBNull(21) ? null : r.GetString(21),
        TraceParent = r.IsDBNull(22) ? null : r.GetString(22),
        TraceState = r.IsDBNull(23) ? null : r.GetString(23),
    };

    private static DateTimeOffset? Time(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : FromUnixMs(r.GetInt64(i));

    private static readonly long MinUnixMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    // Enqueue refuses times past 9999-01-01, but a row can hold any integer (written by hand, or by a version without
    // that bound): it is read as the nearest time .NET can hold, so that one row never breaks a listing or a read.
    internal static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, MinUnixMs, MaxUnixMs));

    private static async Task<List<JobRow>> ReadRowsAsync(SqliteCommand cmd, CancellationToken ct)
    {
        var rows = new List<JobRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(ReadRow(reader));
        return rows;
    }

    private static string Token(Guid token) => token.ToString("N");

    /// <inheritdoc />
    public void Dispose() => _writeGate.Dispose();
}
