namespace Leora.Jobs.Notifications;

/// <summary>
/// Notifications (section <c>Jobs:Notifications</c>): the channels messages go to (Slack, e-mail, signed webhooks; several
/// of each, each under a name unique across all kinds), which of them hear about jobs that failed for good, the alert
/// rules, and storm control. Secrets (webhook URLs, passwords, signing secrets) stay here: a notification job's payload
/// names its channel only, and the secret is read from these options when the message is sent.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>Whether notifications are on. Defaults to true; they do nothing while no channel is configured.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The dashboard's public address (for example <c>https://jobs.example.com/jobs/</c>): messages link to a job's page
    /// under it. Defaults to null: messages name the job's id without a link.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>
    /// Per rule (and for failed jobs) and channel, at most one message per quiet period; what happens meanwhile goes into a
    /// digest sent when it ends. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the maintenance leader evaluates the failure feed and the rules. Defaults to 15 seconds.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The channels told when a job fails for good (its last attempt used, or a permanent error). Defaults to empty: every
    /// channel. Set <see cref="FailedJobs"/> to false to send none.
    /// </summary>
    public IList<string> FailedJobChannels { get; } = [];

    /// <summary>Whether jobs that fail for good are notified at all. Defaults to true.</summary>
    public bool FailedJobs { get; set; } = true;

    /// <summary>
    /// Hosts that Slack and webhook channels may reach although they resolve to a non-public address (the SSRF guard the
    /// webhook job uses). Defaults to empty: only public addresses.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>Slack channels by name: each an incoming-webhook URL.</summary>
    public IDictionary<string, SlackChannelOptions> Slack { get; } = new Dictionary<string, SlackChannelOptions>(StringComparer.Ordinal);

    /// <summary>E-mail channels by name: an SMTP server, a sender and recipients.</summary>
    public IDictionary<string, EmailChannelOptions> Email { get; } = new Dictionary<string, EmailChannelOptions>(StringComparer.Ordinal);

    /// <summary>Generic webhook channels by name: a URL and a Standard Webhooks signing secret.</summary>
    public IDictionary<string, WebhookChannelOptions> Webhook { get; } = new Dictionary<string, WebhookChannelOptions>(StringComparer.Ordinal);

    /// <summary>Alert rules by name.</summary>
    public IDictionary<string, AlertRuleOptions> Rules { get; } = new Dictionary<string, AlertRuleOptions>(StringComparer.Ordinal);
}
