using Microsoft.Extensions.Logging;

namespace Leora.Jobs.PostgreSql;

/// <summary>Every log message of Leora.Jobs.PostgreSql, with stable event ids (2000–2999).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Listening for new jobs of schema {Schema} (LISTEN leora_jobs)")]
    public static partial void Listening(ILogger logger, string schema);

    [LoggerMessage(2001, LogLevel.Warning, "The LISTEN connection for schema {Schema} failed; workers poll until it is back, retrying in {Delay}")]
    public static partial void ListenFailed(ILogger logger, Exception exception, string schema, TimeSpan delay);
}
