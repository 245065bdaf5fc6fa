using Microsoft.Extensions.Logging;

namespace Leora.Jobs.PostgreSql;

/// <summary>Every log message of Leora.Jobs.PostgreSql, with stable event ids (<see cref="LeoraJobsEventId"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.PostgreSqlListening, LogLevel.Information, "Listening for new jobs of schema {Schema} (LISTEN leora_jobs)")]
    public static partial void Listening(ILogger logger, string schema);

    [LoggerMessage(LeoraJobsEventId.PostgreSqlListenFailed, LogLevel.Warning, "The LISTEN connection for schema {Schema} failed; workers poll until it is back, retrying in {Delay}")]
    public static partial void ListenFailed(ILogger logger, Exception exception, string schema, TimeSpan delay);

    [LoggerMessage(LeoraJobsEventId.PostgreSqlListenDeaf, LogLevel.Warning, "LISTEN for schema {Schema} received no notification within {Timeout} of its own probe: the connection goes through a transaction-mode pooler (PgBouncer pool_mode=transaction) or to another database. Workers find new jobs by polling (Jobs:Worker:PollInterval). To wake them at once set Jobs:PostgreSql:ListenConnectionString to a direct connection to the same database; to silence this, Jobs:PostgreSql:Listen=false")]
    public static partial void ListenDeaf(ILogger logger, string schema, TimeSpan timeout);

    [LoggerMessage(LeoraJobsEventId.PostgreSqlTransactionPoolerRefused, LogLevel.Critical, "The jobs database's connections go through a transaction-mode pooler that may not keep prepared statements: add Max Auto Prepare=0 to the connection string. Not starting.")]
    public static partial void TransactionPoolerRefused(ILogger logger);
}
