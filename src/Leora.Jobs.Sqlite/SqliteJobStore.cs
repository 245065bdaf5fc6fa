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
    private static readonly string[] Statuses = ["pending", "processing", "completed", "failed", "cancelled"];
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _workerSynchronous;

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
            DatabasePath = Path.GetFullPath(builder.DataSource);
            var dir = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        _connectionString = builder.ToString();
        _pragmas = $"PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {options.Synchronous.ToUpperInvariant()}; PRAGMA foreign_keys = ON;";
        _workerSynchronous = $"PRAGMA synchronous = {options.WorkerSynchronous.ToUpperInvariant()};";
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
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
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
        foreach (var (version, sql) in Migrations.Value.Where(m => m.Version > applied))
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
    public async Task<(int Applied, int Latest)> MigrationVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await ExecAsync(connection, null, SqliteSql.MigrationsTable, cancellationToken);
        var applied = Convert.ToInt32(await ScalarAsync(connection, null, SqliteSql.MigrationVersion, cancellationToken), CultureInfo.InvariantCulture);
        return (applied, Migrations.Value[^1].Version);
    }

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
                throw new ArgumentException("The transaction must be an open SqliteTransaction on the jobs database.", nameof(callerTx));
            return await work(callerConnection, sqliteTx);
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
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        return await work(connection);
    }

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
    };

    private static DateTimeOffset? Time(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

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
