namespace Leora.Jobs.Server;

/// <summary>Every log message of the leora-jobs service, with stable event ids (<see cref="LeoraJobsEventId"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.ServerRetentionDeleted, LogLevel.Information, "Retention: deleted {Count} finished job(s) older than {Retention}")]
    public static partial void RetentionDeleted(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(LeoraJobsEventId.ServerRetentionFailed, LogLevel.Warning, "Retention clean-up failed; it will run again in an hour")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
