using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Webhooks;

/// <summary>Every log message of Leora.Jobs.Webhooks, with stable event ids (<see cref="LeoraJobsEventId"/>). URLs are not logged (their queries may hold secrets); hosts are.</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.WebhookRefused, LogLevel.Warning, "Webhook job {JobId}: refused to call {Host} (non-public address; see Jobs:Webhook:AllowedHosts)")]
    public static partial void WebhookRefused(ILogger logger, long jobId, string host);

    [LoggerMessage(LeoraJobsEventId.HttpJobRefused, LogLevel.Warning, "HTTP job {JobId} ({Type}): refused to call {Host} (non-public address; see Jobs:Webhook:AllowedHosts)")]
    public static partial void HttpJobRefused(ILogger logger, long jobId, string type, string host);
}
