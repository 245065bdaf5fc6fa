using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.PostgreSql;

/// <summary>
/// At start, refuses a store whose connections go through a transaction-mode pooler while it prepares statements
/// (<see cref="PostgreSqlJobStore.PoolerKindAsync"/>): behind PgBouncer before 1.21 a statement prepared on one server
/// connection is missing, or means another statement, on the next, so jobs would fail at random or worse. The message
/// says which setting to add. A connection string that sets Max Auto Prepare itself is trusted (PgBouncer 1.21+ with
/// max_prepared_statements keeps them). A database that cannot be reached at start is checked by nobody: the statements'
/// own errors say the same (<see cref="PostgreSqlJobStore.IsLostPreparedStatement"/>).
/// </summary>
internal sealed class PostgreSqlPoolerCheck(PostgreSqlJobStore store, ILogger<PostgreSqlPoolerCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!store.AutoPrepares || store.SetsMaxAutoPrepare) return;
        PoolerKind kind;
        try
        {
            kind = await store.PoolerKindAsync(cancellationToken);
        }
        catch (NpgsqlException ex) when (PostgreSqlJobStore.IsUnavailable(ex))
        {
            return;
        }
        if (kind != PoolerKind.Transaction) return;
        Log.TransactionPoolerRefused(logger);
        throw new InvalidOperationException(PostgreSqlJobStore.PreparedStatementsAdvice);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
