using System.Text.Json;

namespace Leora.Jobs.Testing;

/// <summary>What one attempt of a handler did in a test: how it ended, its result, its progress reports.</summary>
public sealed class JobTestResult
{
    internal JobTestResult(JobTestOutcome outcome, JobOutcome workerOutcome, Exception? exception, string? resultJson,
        IReadOnlyList<JobProgressReport> progress)
    {
        Outcome = outcome;
        WorkerOutcome = workerOutcome;
        Exception = exception;
        ResultJson = resultJson;
        Progress = progress;
    }

    /// <summary>How the handler ended the attempt.</summary>
    public JobTestOutcome Outcome { get; }

    /// <summary>
    /// What a worker would record for this attempt, given its number and the attempts allowed: <see cref="JobOutcome.Completed"/>,
    /// <see cref="JobOutcome.Retried"/>, <see cref="JobOutcome.Failed"/> (a permanent error or the last attempt),
    /// <see cref="JobOutcome.Cancelled"/>, <see cref="JobOutcome.Released"/> (the test's own token stopped it, as a worker's shutdown), or <see cref="JobOutcome.LeaseLost"/> (nothing would be written).
    /// </summary>
    public JobOutcome WorkerOutcome { get; }

    /// <summary>The exception the handler threw; null when it completed.</summary>
    public Exception? Exception { get; }

    /// <summary>The delay a <see cref="RetryJobException"/> asked for; null otherwise (or when it left the delay to the backoff).</summary>
    public TimeSpan? RetryAfter => (Exception as RetryJobException)?.RetryAfter;

    /// <summary>The JSON result the handler set, as it would be stored; null if none.</summary>
    public string? ResultJson { get; }

    /// <summary>The result the handler set, parsed; null if none.</summary>
    public JsonElement? Result => ResultJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null;

    /// <summary>Every progress report the handler made, in order.</summary>
    public IReadOnlyList<JobProgressReport> Progress { get; }

    /// <summary>Deserialises the result into <typeparamref name="T"/> with the queue's JSON settings; default when none was set.</summary>
    public T? ResultAs<T>() => ResultJson is { } json ? JsonSerializer.Deserialize<T>(json, JobJson.Options) : default;

    /// <inheritdoc />
    public override string ToString() =>
        Exception is null ? $"{Outcome} ({WorkerOutcome})" : $"{Outcome} ({WorkerOutcome}): {Exception.GetType().Name}: {Exception.Message}";
}
