using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Server;

/// <summary>Every log message of the leora-jobs service, with stable event ids (4000–4099).</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Retention: deleted {Count} finished job(s) older than {Retention}")]
    public static partial void RetentionDeleted(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(4001, LogLevel.Warning, "Retention clean-up failed; it will run again in an hour")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
