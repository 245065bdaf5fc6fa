using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore;

/// <summary>Every log message of Leora.Jobs.AspNetCore, with stable event ids (2000–2099). API keys are never logged, only how many there are.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Warning, "No API key is configured: the jobs API refuses every request (fail closed). Set the JOB_PROCESSOR_API_KEY environment variable or the Jobs:ApiKeys list.")]
    public static partial void NoApiKey(ILogger logger);

    [LoggerMessage(2001, LogLevel.Information, "Jobs API: {Count} API key(s) accepted")]
    public static partial void ApiKeys(ILogger logger, int count);

    [LoggerMessage(2002, LogLevel.Warning, "Readiness check failed: the job store is not reachable")]
    public static partial void NotReady(ILogger logger, Exception exception);

    [LoggerMessage(2003, LogLevel.Information, "Batch processed {Processed} job(s): {Succeeded} succeeded, {Failed} failed, {Retried} retried in {DurationMs} ms")]
    public static partial void BatchProcessed(ILogger logger, int processed, int succeeded, int failed, int retried, double durationMs);
}
