using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Server;

/// <summary>
/// Deletes finished jobs older than Jobs:Retention, a minute after start and then hourly. Several nodes may run it at
/// once: the deletes are bounded batches, so they only share the work.
/// </summary>
internal sealed class RetentionService(IJobClient client, TimeSpan retention, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = TimeSpan.FromHours(1);
            try
            {
                var deleted = await client.CleanupAsync(retention, stoppingToken);
                if (deleted > 0) Log.RetentionDeleted(logger, deleted, retention);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.RetentionFailed(logger, ex);
            }
        }
    }
}
