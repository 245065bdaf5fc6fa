using Microsoft.Extensions.Logging;

namespace Leora.Jobs.PostgreSql;

/// <summary>Every log message of Leora.Jobs.PostgreSql, with stable event ids (<see cref="LeoraJobsEventId"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.PostgreSqlListening, LogLevel.Information, "Listening for new jobs of schema {Schema} (LISTEN leora_jobs)")]
    public static partial void Listening(ILogger logger, string schema);

    [LoggerMessage(LeoraJobsEventId.PostgreSqlListenFailed, LogLevel.Warning, "The LISTEN connection for schema {Schema} failed; workers poll until it is back, retrying in {Delay}")]
    public static partial void ListenFailed(ILogger logger, Exception exception, string schema, TimeSpan delay);
}
