using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore;

/// <summary>Every log message of Leora.Jobs.AspNetCore, with stable event ids (<see cref="LeoraJobsEventId"/>). API keys are never logged, only how many there are.</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.ApiNoApiKey, LogLevel.Warning, "No API key is configured: the jobs API refuses every request (fail closed). Set the JOB_PROCESSOR_API_KEY environment variable or the Jobs:ApiKeys list.")]
    public static partial void NoApiKey(ILogger logger);

    [LoggerMessage(LeoraJobsEventId.ApiKeys, LogLevel.Information, "Jobs API: {Count} API key(s) accepted")]
    public static partial void ApiKeys(ILogger logger, int count);

    [LoggerMessage(LeoraJobsEventId.ApiNotReady, LogLevel.Warning, "Readiness check failed: {Reason}")]
    public static partial void NotReady(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(LeoraJobsEventId.ApiStoreFull, LogLevel.Error, "The jobs database's disk is full: {Method} {Path} was answered 507 Insufficient Storage")]
    public static partial void StoreFull(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(LeoraJobsEventId.ApiStoreUnavailable, LogLevel.Warning, "The jobs database could not be reached: {Method} {Path} was answered 503 Service Unavailable ({Reason})")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string reason);

    // Debug and without the exception: bad input is the caller's mistake, answered with a 400 that says what was wrong;
    // a stack trace at error level would page an operator for every typo (issue 11).
    [LoggerMessage(LeoraJobsEventId.ApiBadRequest, LogLevel.Debug, "Refused a bad request to {Path} with {StatusCode}: {Reason}")]
    public static partial void BadRequest(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(LeoraJobsEventId.ApiBatchProcessed, LogLevel.Information, "Batch processed {Processed} job(s): {Succeeded} succeeded, {Failed} failed, {Retried} retried in {DurationMs} ms")]
    public static partial void BatchProcessed(ILogger logger, int processed, int succeeded, int failed, int retried, double durationMs);
}
