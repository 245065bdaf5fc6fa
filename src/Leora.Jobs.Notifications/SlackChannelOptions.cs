namespace Leora.Jobs.Notifications;

/// <summary>A Slack channel: an incoming webhook (<c>https://hooks.slack.com/services/…</c>). The URL is a secret.</summary>
public sealed class SlackChannelOptions
{
    /// <summary>The incoming-webhook URL. Required.</summary>
    public Uri? WebhookUrl { get; set; }
}
