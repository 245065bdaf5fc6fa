using Npgsql;

namespace Leora.Jobs.PostgreSql;

// What sits between the store and PostgreSQL: nothing, a session-mode pooler, or a transaction-mode pooler that hands the
// server connection to other clients between transactions (PgBouncer pool_mode=transaction, the "pooled" endpoints of
// managed PostgreSQL). The last one loses what a session keeps: prepared statements (on PgBouncer before 1.21, or without
// max_prepared_statements) and LISTEN.
public sealed partial class PostgreSqlJobStore
{
    /// <summary>
    /// Finds out whether the store's connections go through a transaction-mode pooler. A pooler is certain when the
    /// backend key a connection was given is not the server process it talks to (PgBouncer answers with a key of its
    /// own); transaction pooling is certain once a connection is seen on another server process, or a second client on
    /// the first one's, between two of its statements. The check holds up to four extra connections in a transaction
    /// for a moment to make that happen; a busy pooler may still hide it (then it answers <see cref="PoolerKind.Pooled"/>).
    /// </summary>
    internal async Task<PoolerKind> PoolerKindAsync(CancellationToken cancellationToken)
    {
        await using var a = await DataSource.OpenConnectionAsync(cancellationToken);
        var pid = await BackendPidAsync(a, null, cancellationToken);
        if (a.ProcessID == pid) return PoolerKind.Direct;
        var held = new List<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var b = await DataSource.OpenConnectionAsync(cancellationToken);
                var tx = await b.BeginTransactionAsync(cancellationToken);
                held.Add((b, tx));
                // In a transaction pooler the most recently released server (a's) is handed out first.
                if (await BackendPidAsync(b, tx, cancellationToken) == pid) return PoolerKind.Transaction;
            }
            return await BackendPidAsync(a, null, cancellationToken) != pid ? PoolerKind.Transaction : PoolerKind.Pooled;
        }
        finally
        {
            foreach (var (connection, tx) in held)
            {
                await tx.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<int> BackendPidAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_backend_pid()", connection, tx);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether the connection string lets the store prepare statements (it does unless it says Max Auto Prepare=0).</summary>
    internal bool AutoPrepares => DataSource.ConnectionString is var cs && new NpgsqlConnectionStringBuilder(cs).MaxAutoPrepare > 0;

    /// <summary>Whether the connection string sets Max Auto Prepare itself (a deliberate choice, e.g. PgBouncer 1.21+).</summary>
    internal bool SetsMaxAutoPrepare { get; private init; }

    /// <summary>
    /// PostgreSQL lost or mixed up a prepared statement of this connection (SQLSTATE 26000 or 42P05 on an automatic
    /// one): the connection goes through a transaction-mode pooler that does not keep prepared statements.
    /// </summary>
    internal static bool IsLostPreparedStatement(PostgresException error) =>
        error.SqlState is PostgresErrorCodes.InvalidSqlStatementName or PostgresErrorCodes.DuplicatePreparedStatement;

    internal const string PreparedStatementsAdvice =
        "The jobs database's connections go through a transaction-mode pooler (PgBouncer pool_mode=transaction, a " +
        "\"pooled\" endpoint) that does not keep prepared statements (PgBouncer before 1.21, or max_prepared_statements=0), " +
        "so statements could fail or run as another statement. Add 'Max Auto Prepare=0' to the connection string " +
        "(ConnectionStrings:Jobs), or give PgBouncer 1.21+ max_prepared_statements and set Max Auto Prepare yourself " +
        "(docs/operations.md, connection poolers).";

    private static InvalidOperationException PreparedStatementsLost(PostgresException error) =>
        new($"PostgreSQL lost a prepared statement of this connection ({error.SqlState}: {error.MessageText}). " + PreparedStatementsAdvice, error);
}

/// <summary>What the store's connections go through (<see cref="PostgreSqlJobStore.PoolerKindAsync"/>).</summary>
internal enum PoolerKind
{
    /// <summary>Straight to PostgreSQL.</summary>
    Direct,
    /// <summary>A pooler, in session mode or one whose transaction pooling the check could not catch.</summary>
    Pooled,
    /// <summary>A transaction-mode pooler.</summary>
    Transaction,
}
