using System.Text.Json;

namespace Leora.Jobs.Testing;

/// <summary>
/// One attempt of a job in a unit test: the <see cref="Context"/> to hand to the handler, and what the handler did
/// with it (<see cref="Progress"/>, <see cref="ResultJson"/>). Create one with <see cref="JobTestContext.Create{TArgs}"/>.
/// </summary>
/// <typeparam name="TArgs">The job type's payload.</typeparam>
public sealed class JobTestContext<TArgs> : IDisposable where TArgs : IJobArgs
{
    private readonly JobAttempt _attempt;
    private readonly RecordingProgressStore _progress;

    internal JobTestContext(TArgs args, Storage.JobRow row)
    {
        _progress = RecordingProgressStore.Create();
        _attempt = new JobAttempt(row, (Storage.IJobStore)(object)_progress, CancellationToken.None);
        Context = new JobContext<TArgs>(args, _attempt);
    }

    /// <summary>The context to pass to <see cref="IJobHandler{TArgs}.HandleAsync"/>.</summary>
    public JobContext<TArgs> Context { get; }

    /// <summary>The test context stands for its <see cref="Context"/>, so a test can call a handler directly: <c>handler.HandleAsync(test, test.CancellationToken)</c>.</summary>
    public static implicit operator JobContext<TArgs>(JobTestContext<TArgs> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return test.Context;
    }

    /// <summary>The token a worker would pass to the handler: it fires on <see cref="RequestCancel"/> and <see cref="LoseLease"/>.</summary>
    public CancellationToken CancellationToken => _attempt.Token;

    /// <summary>Every progress report the handler made, in order (percent clamped to 0–100, as stored).</summary>
    public IReadOnlyList<JobProgressReport> Progress => _progress.Reports;

    /// <summary>The JSON the handler set with <see cref="JobContext{TArgs}.SetResult{T}"/>, as it would be stored; null if none.</summary>
    public string? ResultJson => _attempt.ResultJson;

    /// <summary>The result the handler set, parsed; null if none.</summary>
    public JsonElement? Result => ResultJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null;

    /// <summary>True once <see cref="RequestCancel"/> was called.</summary>
    public bool CancelRequested => _attempt.CancelRequested;

    /// <summary>True once <see cref="LoseLease"/> was called.</summary>
    public bool LeaseLost => _attempt.LeaseLost;

    /// <summary>Acts as a cancel request from the API or dashboard would: the handler's token fires.</summary>
    public void RequestCancel() => _attempt.MarkCancelRequested();

    /// <summary>
    /// Acts as if this worker lost the job's lease (it was rescued elsewhere): the handler's token fires and further
    /// progress reports return false, as they would on a worker.
    /// </summary>
    public void LoseLease() => _attempt.MarkLeaseLost();

    /// <summary>Releases the attempt's token source.</summary>
    public void Dispose() => _attempt.Dispose();
}
