using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Notifications;

/// <summary>
/// The batch processor with notifications: after each batch (<c>POST /api/jobs/process</c>, its GET cron route, the CLI's
/// <c>process</c>) one <see cref="NotificationEvaluator"/> pass, so a deployment whose only trigger is a cron alerts too
/// (the messages it enqueues go out with the next batch). A failed pass is logged; the batch's result stands.
/// </summary>
internal sealed class NotifyingJobProcessor(IJobProcessor inner, NotificationEvaluator evaluator, ILogger<NotifyingJobProcessor> logger) : IJobProcessor
{
    public Task<JobRunReport?> ProcessOneAsync(string? queue = null, CancellationToken cancellationToken = default) =>
        inner.ProcessOneAsync(queue, cancellationToken);

    public async Task<BatchResult> ProcessBatchAsync(BatchOptions batch, CancellationToken cancellationToken = default)
    {
        var result = await inner.ProcessBatchAsync(batch, cancellationToken);
        try
        {
            await evaluator.EvaluateAsync(batch: true, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
        {
            Log.EvaluationFailed(logger, ex, TimeSpan.Zero);
        }
        return result;
    }

    public Task<int> RescueExpiredAsync(CancellationToken cancellationToken = default) => inner.RescueExpiredAsync(cancellationToken);
}
