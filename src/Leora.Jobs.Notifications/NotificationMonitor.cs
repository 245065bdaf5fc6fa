using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Notifications;

/// <summary>
/// The maintenance leader's evaluation of notifications: every <see cref="NotificationOptions.EvaluationInterval"/>, while
/// this node holds the leader's lease (<see cref="JobNodeState.IsLeader"/>), one <see cref="NotificationEvaluator"/> pass.
/// A failed pass is logged and the next one tries again (the cursor has not moved, so nothing is lost).
/// </summary>
internal sealed class NotificationMonitor(
    NotificationEvaluator evaluator,
    JobNodeState node,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.EvaluationInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                if (node.IsLeader) await evaluator.EvaluateAsync(batch: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.EvaluationFailed(logger, ex, interval);
            }
        }
    }
}
