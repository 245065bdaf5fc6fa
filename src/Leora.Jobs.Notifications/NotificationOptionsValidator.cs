using Leora.Jobs.Webhooks;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Notifications;

/// <summary>
/// Checks <see cref="NotificationOptions"/> at start: every channel complete and named once across kinds, every rule's
/// channels known and thresholds in range. Messages name the setting, never a secret's value.
/// </summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    private const string Section = "Jobs:Notifications";

    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.QuietPeriod < TimeSpan.Zero) failures.Add($"{Section}:QuietPeriod must not be negative.");
        if (options.EvaluationInterval <= TimeSpan.Zero) failures.Add($"{Section}:EvaluationInterval must be positive.");
        if (options.PublicBaseUrl is { } publicUrl && (!publicUrl.IsAbsoluteUri || (publicUrl.Scheme != Uri.UriSchemeHttp && publicUrl.Scheme != Uri.UriSchemeHttps)))
            failures.Add($"{Section}:PublicBaseUrl must be an absolute http or https URL.");

        var names = new HashSet<string>(StringComparer.Ordinal);
        void Named(string kind, string channel)
        {
            if (!NotificationChannels.IsValidName(channel))
                failures.Add($"{Section}:{kind}:{channel}: a channel name is 1 to 64 letters, digits, '-' or '_'.");
            if (!names.Add(channel)) failures.Add($"{Section}:{kind}:{channel}: the channel name '{channel}' is used twice (names are unique across Slack, Email and Webhook).");
        }
        foreach (var (channel, slack) in options.Slack)
        {
            Named("Slack", channel);
            if (!IsHttpUrl(slack.WebhookUrl)) failures.Add($"{Section}:Slack:{channel}:WebhookUrl must be an absolute http or https URL.");
        }
        foreach (var (channel, email) in options.Email)
        {
            Named("Email", channel);
            var at = $"{Section}:Email:{channel}";
            if (string.IsNullOrWhiteSpace(email.Host)) failures.Add($"{at}:Host is required.");
            if (email.Port is < 1 or > 65535) failures.Add($"{at}:Port must be between 1 and 65535.");
            if (!Enum.IsDefined(email.Security)) failures.Add($"{at}:Security must be StartTls, Tls or None.");
            if (!IsAddress(email.From)) failures.Add($"{at}:From must be an e-mail address.");
            if (email.To.Count == 0) failures.Add($"{at}:To needs at least one address.");
            foreach (var to in email.To)
                if (!IsAddress(to)) failures.Add($"{at}:To: '{to}' is not an e-mail address.");
            if (email.Password is not null && string.IsNullOrEmpty(email.User)) failures.Add($"{at}:Password is set without {at}:User.");
        }
        foreach (var (channel, webhook) in options.Webhook)
        {
            Named("Webhook", channel);
            var at = $"{Section}:Webhook:{channel}";
            if (!IsHttpUrl(webhook.Url)) failures.Add($"{at}:Url must be an absolute http or https URL.");
            if (!WebhookSigner.TryParseSecret(webhook.Secret, out _))
                failures.Add($"{at}:Secret must be 'whsec_' followed by base64 of 24 to 64 bytes.");
        }
        foreach (var channel in options.FailedJobChannels)
            if (!names.Contains(channel)) failures.Add($"{Section}:FailedJobChannels names '{channel}', which is not a configured channel.");
        foreach (var (rule, r) in options.Rules)
        {
            var at = $"{Section}:Rules:{rule}";
            if (!NotificationChannels.IsValidName(rule)) failures.Add($"{at}: a rule name is 1 to 64 letters, digits, '-' or '_'.");
            if (r.Kind is not { } kind || !Enum.IsDefined(kind)) failures.Add($"{at}:Kind must be FailureRatio, OldestDue, NoWorker or MissedSchedule.");
            if (r.Channels.Count == 0) failures.Add($"{at}:Channels needs at least one channel.");
            foreach (var channel in r.Channels)
                if (!names.Contains(channel)) failures.Add($"{at}:Channels names '{channel}', which is not a configured channel.");
            if (r.Window <= TimeSpan.Zero) failures.Add($"{at}:Window must be positive.");
            if (r.Threshold <= TimeSpan.Zero) failures.Add($"{at}:Threshold must be positive.");
            if (!(r.Ratio > 0 && r.Ratio <= 1)) failures.Add($"{at}:Ratio must be above 0 and at most 1.");
            if (r.MinJobs < 1) failures.Add($"{at}:MinJobs must be at least 1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private static bool IsAddress(string? address) => MimeKit.MailboxAddress.TryParse(address, out _);
}
