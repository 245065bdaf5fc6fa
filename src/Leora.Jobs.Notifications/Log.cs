using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Notifications;

/// <summary>Every log message of Leora.Jobs.Notifications, with stable event ids (<see cref="LeoraJobsEventId"/>). Channel URLs and secrets are never logged; channel names are.</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.NotificationsEnqueued, LogLevel.Information, "Notifications: {Count} message(s) enqueued")]
    public static partial void NotificationsEnqueued(ILogger logger, int count);

    [LoggerMessage(LeoraJobsEventId.NotificationEvaluationFailed, LogLevel.Warning, "Notifications: evaluation failed; retrying after {Interval}")]
    public static partial void EvaluationFailed(ILogger logger, Exception exception, TimeSpan interval);
}
