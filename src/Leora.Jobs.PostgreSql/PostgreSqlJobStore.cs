using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Leora.Jobs.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Leora.Jobs.PostgreSql;

/// <summary>
/// The PostgreSQL store: claims with <c>FOR UPDATE SKIP LOCKED</c> in one batched statement, leases on the
/// database clock, migrations under an advisory lock. Many workers on many machines can share one database.
/// </summary>
public sealed partial class PostgreSqlJobStore : IJobStore, IAsyncDisposable
{
    private readonly bool _ownsDataSource;
    private readonly TimeProvider _time;
    private readonly bool _useTimeProviderClock;
    private readonly Dictionary<string, string> _sql = [];
    private readonly PostgreSqlWakeUp _wakeUp;
    private readonly string _quotedSchema;
    private readonly LimitedClaimGate _limitGate = new();

    /// <summary>
    /// Creates a store over the database of <paramref name="options"/>. Its statements use the database's clock unless
    /// <see cref="PostgreSqlJobStoreOptions.UseTimeProviderClock"/> is set; <paramref name="time"/> is then their clock.
    /// </summary>
    public PostgreSqlJobStore(PostgreSqlJobStoreOptions options, TimeProvider time)
        : this(CreateDataSource(options), options.Schema, time, ownsDataSource: true, options.UseTimeProviderClock)
    {
        SetsMaxAutoPrepare = SetsKey(options.ConnectionString, "maxautoprepare");
    }

    /// <summary>Creates a store over an existing data source (which the caller keeps and disposes). Its statements use the database's clock.</summary>
    public PostgreSqlJobStore(NpgsqlDataSource dataSource, string schema, TimeProvider time)
        : this(dataSource, schema, time, ownsDataSource: false, useTimeProviderClock: false)
    {
    }

    private PostgreSqlJobStore(NpgsqlDataSource dataSource, string schema, TimeProvider time, bool ownsDataSource, bool useTimeProviderClock)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!SchemaPattern().IsMatch(schema ?? ""))
            throw new ArgumentException($"Schema '{schema}' is not valid: lower-case letters, digits and '_', starting with a letter or '_', at most 63.", nameof(schema));
        DataSource = dataSource;
        Schema = schema!;
        _quotedSchema = $"\"{Schema}\"";
        _time = time;
        _useTimeProviderClock = useTimeProviderClock;
        _ownsDataSource = ownsDataSource;
        _wakeUp = new PostgreSqlWakeUp(dataSource, Schema);
    }

    private static NpgsqlDataSource CreateDataSource(PostgreSqlJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("The PostgreSQL connection string is empty.", nameof(options));
        try
        {
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            // Every statement here runs thousands of times: prepared once per physical connection, it skips parse and
            // plan on each run (half the drain's database time, docs/benchmarks.md). A connection string that sets
            // Max Auto Prepare itself (0 behind a pooler that cannot keep prepared statements) wins.
            if (!SetsKey(options.ConnectionString, "maxautoprepare")) builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            // The store leaves no session state behind (its settings are transaction-local, its advisory lock is a
            // transaction lock, the listener unlistens before it lets its connection go), so the reset Npgsql would
            // otherwise run each time a pooled connection is reused (RESET ALL; CLOSE ALL; UNLISTEN *; … : as long as
            // the enqueue's insert on the server) is skipped.
            if (!SetsKey(options.ConnectionString, "noresetonclose")) builder.ConnectionStringBuilder.NoResetOnClose = true;
            return builder.Build();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(options), ex);
        }
    }

    /// <summary>Statements prepared per connection unless the connection string says otherwise (the store has about 40).</summary>
    public const int DefaultMaxAutoPrepare = 64;

    private static bool SetsKey(string connectionString, string key) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals(key, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();

    /// <summary>
    /// The Npgsql data source. Built from a connection string, it does not reset pooled connections on reuse unless the
    /// connection string says <c>No Reset On Close=false</c>. Callers outside the store take a connection from it through
    /// <see cref="IJobClient.OpenConnectionAsync"/> (or <see cref="IJobStore.OpenConnectionAsync"/>).
    /// </summary>
    internal NpgsqlDataSource DataSource { get; }

    /// <summary>The schema that holds the jobs tables.</summary>
    public string Schema { get; }

    /// <inheritdoc />
    async ValueTask<DbConnection> IJobStore.OpenConnectionAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc />
    public string Provider => "postgresql";

    /// <summary>
    /// Null on the database's clock (SQL uses <c>now()</c>: DESIGN.md invariant 6); the TimeProvider's time only when the
    /// store was told to use it (<see cref="PostgreSqlJobStoreOptions.UseTimeProviderClock"/>). Which TimeProvider is
    /// registered decides nothing: one that wraps the system clock, or any other, leaves the database's clock in charge.
    /// </summary>
    private DateTime? InjectedNow => _useTimeProviderClock ? _time.GetUtcNow().UtcDateTime : null;

    private string Sql(string template)
    {
        lock (_sql)
        {
            if (!_sql.TryGetValue(template, out var sql)) _sql[template] = sql = template.Replace("{s}", _quotedSchema, StringComparison.Ordinal);
            return sql;
        }
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string template)
    {
        var cmd = new NpgsqlCommand(Sql(template), connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = (object?)InjectedNow ?? DBNull.Value });
        return cmd;
    }

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
        catch (PostgresException ex) when (IsLostPreparedStatement(ex))
        {
            // `migrate` run by itself (no pooler check before it) behind a pooler that loses prepared statements.
            throw PreparedStatementsLost(ex);
        }
    }

    private async Task MigrateCoreAsync(int upTo, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand(PostgreSqlSql.MigrationLock, connection, tx))
        {
            lockCmd.Parameters.AddWithValue("schema", Schema);
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var table = new NpgsqlCommand(Sql(PostgreSqlSql.MigrationsTable), connection, tx))
            await table.ExecuteNonQueryAsync(cancellationToken);
        int applied;
        await using (var version = new NpgsqlCommand(Sql(PostgreSqlSql.MigrationVersion), connection, tx))
            applied = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (applied > Migrations.Value[^1].Version) throw JobSchemaTooNewException.For(Provider, applied, Migrations.Value[^1].Version);
        foreach (var (number, text) in Migrations.Value.Where(m => m.Version > applied && m.Version <= upTo))
        {
            await using (var step = new NpgsqlCommand(text.Replace("{schema}", _quotedSchema, StringComparison.Ordinal), connection, tx))
                await step.ExecuteNonQueryAsync(cancellationToken);
            await using var record = new NpgsqlCommand(Sql(PostgreSqlSql.MigrationRecord), connection, tx);
            record.Parameters.AddWithValue("version", number);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<(int Applied, int Latest)> MigrationVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        // Two statements: PostgreSQL resolves every table a statement names when it parses it, so one statement that
        // reads the migrations table only if it exists fails (42P01) on a database that was never migrated.
        await using (var exists = new NpgsqlCommand(PostgreSqlSql.MigrationsTableExists, connection))
        {
            exists.Parameters.AddWithValue("table", $"{_quotedSchema}.migrations");
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true) return (0, Migrations.Value[^1].Version);
        }
        await using var cmd = new NpgsqlCommand(Sql(PostgreSqlSql.MigrationVersion), connection);
        var applied = Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return (applied, Migrations.Value[^1].Version);
    }

    private static readonly Lazy<IReadOnlyList<(int Version, string Sql)>> Migrations =
        new(() => EmbeddedMigrations.Load(typeof(PostgreSqlJobStore).Assembly, "Leora.Jobs.PostgreSql.Migrations."));

    /// <inheritdoc />
    public async Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken)
    {
        // The store's statements and its "now" agree: a store told to use the TimeProvider's clock answers with it too.
        if (InjectedNow is { } injected) return new DateTimeOffset(injected, TimeSpan.Zero);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(connection, null, PostgreSqlSql.DbNow);
        return new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    /// <inheritdoc />
    /// <remarks>Always null: the server's disk is not visible to a client. A full disk shows as a failed write (SQLSTATE 53100).</remarks>
    public Task<long?> StorageAvailableBytesAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    private async Task<T> WithConnectionAsync<T>(DbTransaction? callerTx, Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work, CancellationToken ct)
    {
        try
        {
            if (callerTx is not null)
            {
                if (callerTx is not NpgsqlTransaction { Connection: { } callerConnection } npgsqlTx)
                    throw new ArgumentException("The transaction must be an open NpgsqlTransaction on the jobs database.", "transaction");
                await RequireJobsDatabaseAsync(callerConnection, npgsqlTx, ct);
                return await work(callerConnection, npgsqlTx);
            }
            await using var connection = await DataSource.OpenConnectionAsync(ct);
            return await work(connection, null);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DiskFull)
        {
            // The server rolled the statement back; said in the words the API, the CLI and readiness use for SQLite.
            throw new JobStoreFullException(
                $"The jobs database's disk is full: PostgreSQL could not extend a file ({ex.MessageText}). " +
                "Nothing of the failed write was kept; free space on the database server's volume.", ex);
        }
        catch (PostgresException ex) when (IsLostPreparedStatement(ex))
        {
            throw PreparedStatementsLost(ex);
        }
        catch (NpgsqlException ex) when (IsUnavailable(ex) || NoPrimaryFound(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>
    /// With several hosts in the connection string (<c>Host=db1,db2;Target Session Attributes=primary</c>), while the
    /// primary is dead and a standby not yet promoted, Npgsql answers "No suitable host was found" with nothing inside
    /// (the dead host is remembered as offline, the standby is up but not a primary) and nothing marked transient: a
    /// failover answered 500 instead of 503, and the CLI did not retry. (With each host's failure inside, as an
    /// AggregateException, <see cref="IsUnavailable"/> judges those: a refused login stays an error.)
    /// </summary>
    private bool NoPrimaryFound(NpgsqlException error) =>
        DataSource is NpgsqlMultiHostDataSource && error is not PostgresException && error.InnerException is null;

    /// <summary>
    /// A failure to reach the server rather than of the statement: connection class 08, 57P01–57P03 (shut down, crashed,
    /// starting: a restart or a failover), 53300 (too many connections), or a socket error, timeout or exhausted pool; or,
    /// with several hosts in the connection string, no host that is (yet) the primary.
    /// </summary>
    internal static bool IsUnavailable(NpgsqlException error) => error switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        // "No suitable host was found" from a multi-host data source (Host=db1,db2;Target Session Attributes=primary)
        // while the primary is dead and the standby not yet promoted: each host's own failure is inside, and it is not
        // marked transient, so a failover answered 500 instead of 503. A host that refused the login or a host that is
        // a standby (no exception of its own) is judged by what it says.
        { InnerException: AggregateException hosts } => hosts.InnerExceptions.All(e => e is not NpgsqlException host || IsUnavailable(host)),
        _ => error.IsTransient,
    };

    // Worded without the host: the HTTP API answers with its own words, the log has the inner exception.
    private static JobStoreUnavailableException Unavailable(NpgsqlException error)
    {
        var cause = error is PostgresException pg ? $"SQLSTATE {pg.SqlState}" : error.InnerException?.GetType().Name ?? "connection failed";
        return new($"The jobs database could not be reached ({cause}). " +
            "A write that failed this way may or may not have been committed; retry it (an enqueue with the same idempotency key is stored once).", error);
    }

    // Which server and database a connection reaches: the database's name and the server's start time, which tells two
    // servers apart even when their host names, ports and databases are spelled alike (two environments, a replica).
    private const string DatabaseIdentity = "SELECT current_database(), pg_postmaster_start_time()";

    private sealed record DatabaseId(string Database, DateTime StartedAt);

    private DatabaseId? _identity;

    /// <summary>
    /// Refuses a caller's connection to another database or server: the job would be committed where no worker of this
    /// store looks (IJobStore.JobInsertAsync promises the check). A connection opened from this store's data source has
    /// its connection string and needs no round trip; any other is asked, in the caller's transaction, which database it
    /// is on (one SELECT, which changes nothing).
    /// </summary>
    private async Task RequireJobsDatabaseAsync(NpgsqlConnection caller, NpgsqlTransaction tx, CancellationToken ct)
    {
        if (string.Equals(caller.ConnectionString, DataSource.ConnectionString, StringComparison.Ordinal)) return;
        var theirs = await IdentityAsync(caller, tx, ct);
        if (theirs == _identity) return;
        // Ours is read once, and again on a mismatch: a restart of the server changes its start time.
        await using (var own = await DataSource.OpenConnectionAsync(ct))
            _identity = await IdentityAsync(own, null, ct);
        if (theirs == _identity) return;
        throw new ArgumentException(
            $"The transaction is on another database (database '{theirs.Database}' on {caller.Host}:{caller.Port}) than the jobs " +
            $"database ('{_identity.Database}'): a job enqueued in it would never be seen by this store. Begin the transaction on " +
            "a connection to the jobs database (IJobStore.OpenConnectionAsync, or the store's data source, opens one).", "transaction");
    }

    private static async Task<DatabaseId> IdentityAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(DatabaseIdentity, connection, tx);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new DatabaseId(r.GetString(0), r.GetDateTime(1));
    }

    private Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) =>
        WithConnectionAsync<T>(null, (c, _) => work(c), ct);

    private static JobRow ReadRow(NpgsqlDataReader r) => new()
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
        LockToken = r.IsDBNull(9) ? null : r.GetGuid(9),
        LockedUntil = Time(r, 10),
        LockedBy = r.IsDBNull(11) ? null : r.GetString(11),
        Progress = r.IsDBNull(12) ? null : r.GetInt32(12),
        ProgressMessage = r.IsDBNull(13) ? null : r.GetString(13),
        Result = r.IsDBNull(14) ? null : r.GetString(14),
        Errors = r.GetString(15),
        CancelRequested = r.GetBoolean(16),
        CreatedAt = Time(r, 17)!.Value,
        RunAt = Time(r, 18)!.Value,
        StartedAt = Time(r, 19),
        CompletedAt = Time(r, 20),
        ConcurrencyKey = r.IsDBNull(21) ? null : r.GetString(21),
        TraceParent = r.IsDBNull(22) ? null : r.GetString(22),
        TraceState = r.IsDBNull(23) ? null : r.GetString(23),
    };

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? null : FromPostgres(r.GetFieldValue<long>(i));

    // timestamptz on the wire: microseconds since 2000-01-01 UTC, long.MinValue/MaxValue for -infinity/infinity.
    private static readonly long PgEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly long MinPgMicroseconds = (DateTime.MinValue.Ticks - PgEpochTicks) / TimeSpan.TicksPerMicrosecond;
    private static readonly long MaxPgMicroseconds = (DateTime.MaxValue.Ticks - PgEpochTicks) / TimeSpan.TicksPerMicrosecond;

    // Enqueue refuses times past 9999-01-01, but timestamptz holds years up to 294276 (and infinity), which Npgsql cannot
    // read as a DateTime (issue 11: one such row made every listing answer 500). Read raw, it becomes the nearest time
    // .NET can hold, so that one row never breaks a listing or a read.
    internal static DateTimeOffset FromPostgres(long microseconds) =>
        new(PgEpochTicks + Math.Clamp(microseconds, MinPgMicroseconds, MaxPgMicroseconds) * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    private static async Task<List<JobRow>> ReadRowsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<JobRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(ReadRow(reader));
        return rows;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource) await DataSource.DisposeAsync();
    }
}
