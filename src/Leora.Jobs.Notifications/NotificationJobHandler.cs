namespace Leora.Jobs.Notifications;

/// <summary>
/// Runs a <c>leora.notification</c> job: sends its message on its channel. A failure throws and the job is retried with
/// backoff, so an outage of Slack or the SMTP server delays a message and does not lose it. The Standard Webhooks id is the
/// job's, so a receiver can drop a retry it already has.
/// </summary>
internal sealed class NotificationJobHandler(NotificationChannels channels) : IJobHandler<NotificationArgs>
{
    public Task HandleAsync(JobContext<NotificationArgs> job, CancellationToken cancellationToken) =>
        channels.SendAsync(job.Args.Channel, $"msg_leora_{job.Id}", job.Args.Message, cancellationToken);
}
