using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard;

/// <summary>Every log message of the dashboard, with stable event ids (<see cref="LeoraJobsEventId"/>). Keys are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.DashboardSignedIn, LogLevel.Information, "Dashboard sign-in with a {Access} key from {RemoteIp}.")]
    public static partial void SignedIn(ILogger logger, string access, string? remoteIp);

    [LoggerMessage(LeoraJobsEventId.DashboardSignInRefused, LogLevel.Warning, "Dashboard sign-in refused from {RemoteIp}: the key matches no configured key.")]
    public static partial void SignInRefused(ILogger logger, string? remoteIp);

    [LoggerMessage(LeoraJobsEventId.DashboardNoKeysConfigured, LogLevel.Warning, "Dashboard sign-in attempted, but no API key is configured (JOB_PROCESSOR_API_KEY, Jobs:ApiKeys or Jobs:Dashboard:ReadOnlyKeys).")]
    public static partial void NoKeysConfigured(ILogger logger);

    [LoggerMessage(LeoraJobsEventId.DashboardJobAction, LogLevel.Information, "Dashboard action {Action} on job {JobId} by {User}: {Result}.")]
    public static partial void JobAction(ILogger logger, string action, long jobId, string user, string result);

    [LoggerMessage(LeoraJobsEventId.DashboardRetriedAll, LogLevel.Information, "Dashboard retried {Count} failed jobs of type {Type} by {User}.")]
    public static partial void RetriedAll(ILogger logger, int count, string type, string user);

    [LoggerMessage(LeoraJobsEventId.DashboardCleanedUp, LogLevel.Information, "Dashboard cleanup by {User} deleted {Count} jobs finished more than {OlderThan} ago.")]
    public static partial void CleanedUp(ILogger logger, string user, long count, TimeSpan olderThan);

    [LoggerMessage(LeoraJobsEventId.DashboardEnqueued, LogLevel.Information, "Dashboard enqueued job {JobId} of type {Type} by {User} (existing: {Existing}).")]
    public static partial void Enqueued(ILogger logger, long jobId, string type, string user, bool existing);

    [LoggerMessage(LeoraJobsEventId.DashboardSignInThrottled, LogLevel.Warning, "Dashboard sign-in attempts from {RemoteIp} passed the limit ({Limit} per {Window}); refused until {Until}.")]
    public static partial void SignInThrottled(ILogger logger, string? remoteIp, int limit, TimeSpan window, DateTimeOffset until);

    [LoggerMessage(LeoraJobsEventId.DashboardAntiforgeryRefused, LogLevel.Warning, "Dashboard refused a {Method} without a valid anti-forgery token from {RemoteIp}.")]
    public static partial void AntiforgeryRefused(ILogger logger, string method, string? remoteIp);

    [LoggerMessage(LeoraJobsEventId.DashboardScheduleAction, LogLevel.Information, "Dashboard action {Action} on schedule {Schedule} by {User}: {Result}.")]
    public static partial void ScheduleAction(ILogger logger, string action, string schedule, string user, string result);

    [LoggerMessage(LeoraJobsEventId.DashboardPauseAction, LogLevel.Information, "Dashboard action {Action} on {Scope} {Name} by {User}: {Result}.")]
    public static partial void PauseAction(ILogger logger, string action, string scope, string name, string user, string result);

    [LoggerMessage(LeoraJobsEventId.DashboardBulkAction, LogLevel.Information, "Dashboard bulk {Action} on {Selected} jobs ({Selection}) by {User}: {Changed} changed.")]
    public static partial void BulkAction(ILogger logger, string action, int selected, string selection, string user, int changed);

    [LoggerMessage(LeoraJobsEventId.DashboardAlertTest, LogLevel.Information, "Dashboard test message on channel {Channel} by {User}: {Result}.")]
    public static partial void AlertTest(ILogger logger, string channel, string user, string result);

    [LoggerMessage(LeoraJobsEventId.DashboardBatchAction, LogLevel.Information, "Dashboard action {Action} on batch {BatchId} by {User}: {Result}.")]
    public static partial void BatchAction(ILogger logger, string action, long batchId, string user, string result);
}
