using System.Globalization;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Leora.Jobs.Webhooks;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Leora.Jobs.Notifications;

/// <summary>
/// The configured channels and how each kind sends a <see cref="NotificationMessage"/>: Slack as Block Kit, e-mail over
/// SMTP with text and HTML parts, webhooks as a signed JSON event. Slack and webhook calls go through the webhook job's SSRF
/// guard (<see cref="GuardedHttpClient"/>, hosts allowed by <see cref="NotificationOptions.AllowedHosts"/>). A failure
/// throws: the notification job retries. Errors never carry a channel's URL or secret.
/// </summary>
internal sealed class NotificationChannels : IDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private readonly NotificationOptions _options;
    private readonly GuardedHttpClient _http;
    private readonly TimeProvider _time;

    public NotificationChannels(IOptions<NotificationOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _http = new GuardedHttpClient(_options.AllowedHosts, "Jobs:Notifications:AllowedHosts");
    }

    /// <summary>Every channel's name and kind (<c>slack</c>, <c>email</c>, <c>webhook</c>), sorted by name: no secrets.</summary>
    public IReadOnlyList<(string Name, string Kind)> All =>
    [
        .. _options.Slack.Keys.Select(n => (n, "slack"))
            .Concat(_options.Email.Keys.Select(n => (n, "email")))
            .Concat(_options.Webhook.Keys.Select(n => (n, "webhook")))
            .OrderBy(c => c.Item1, StringComparer.Ordinal),
    ];

    public bool Exists(string name) => _options.Slack.ContainsKey(name) || _options.Email.ContainsKey(name) || _options.Webhook.ContainsKey(name);

    public static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Sends <paramref name="message"/> on <paramref name="channel"/>; <paramref name="messageId"/> is stable across retries.</summary>
    public async Task SendAsync(string channel, string messageId, NotificationMessage message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SendTimeout);
        if (_options.Slack.TryGetValue(channel, out var slack))
            await PostAsync(slack.WebhookUrl!, SlackMessage(message).ToJsonString(), [], channel, timeout.Token);
        else if (_options.Email.TryGetValue(channel, out var email))
            await SendEmailAsync(email, message, timeout.Token);
        else if (_options.Webhook.TryGetValue(channel, out var webhook))
        {
            var body = WebhookEvent(message).ToJsonString();
            WebhookSigner.TryParseSecret(webhook.Secret, out var key);
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            await PostAsync(webhook.Url!, body,
            [
                ("webhook-id", messageId),
                ("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
                ("webhook-signature", WebhookSigner.Sign(key, messageId, timestamp, body)),
            ], channel, timeout.Token);
        }
        else throw new PermanentJobException($"The notification channel '{channel}' is not configured (Jobs:Notifications).");
    }

    /// <summary>The link to a job's dashboard page, or null without <see cref="NotificationOptions.PublicBaseUrl"/>.</summary>
    public string? JobLink(long id) => _options.PublicBaseUrl is { } b
        ? $"{b.AbsoluteUri.TrimEnd('/')}/#/job/{id.ToString(CultureInfo.InvariantCulture)}"
        : null;

    private async Task PostAsync(Uri url, string body, (string Name, string Value)[] headers, string channel, CancellationToken cancellationToken)
    {
        if (_http.Precheck(url) is { } refusal) throw new PermanentJobException($"Channel '{channel}': {refusal}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json) };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        HttpResponseMessage response;
        try
        {
            response = await _http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            if (GuardedHttpClient.FindRefusal(ex) is { } refused) throw new PermanentJobException($"Channel '{channel}': {refused.Message}");
            // The exception's message may name the URL (a secret for Slack): say what failed without it.
            throw new HttpRequestException($"Channel '{channel}': the request failed ({ex.HttpRequestError}).");
        }
        using (response)
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"Channel '{channel}' answered HTTP {(int)response.StatusCode}.");
    }

    private static async Task SendEmailAsync(EmailChannelOptions email, NotificationMessage message, CancellationToken cancellationToken)
    {
        using var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(email.From!));
        foreach (var to in email.To) mail.To.Add(MailboxAddress.Parse(to));
        mail.Subject = message.Title;
        mail.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = Html(message) }.ToMessageBody();
        using var smtp = new SmtpClient();
        var security = email.Security switch
        {
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await smtp.ConnectAsync(email.Host!, email.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(email.User)) await smtp.AuthenticateAsync(email.User, email.Password ?? "", cancellationToken);
        await smtp.SendAsync(mail, cancellationToken);
        await smtp.DisconnectAsync(true, cancellationToken);
    }

    private static string Html(NotificationMessage message)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body><h2>").Append(Escape(message.Title)).Append("</h2>");
        foreach (var line in message.Text.Split('\n')) html.Append("<p>").Append(Escape(line)).Append("</p>");
        html.Append("</body></html>");
        return html.ToString();
    }

    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);

    // Block Kit (api.slack.com/block-kit): a header, the job's fields, the error as code, a link. Slack caps a header at 150
    // characters and a text at 3000; longer values are cut. "text" is the fallback for notifications.
    private JsonObject SlackMessage(NotificationMessage message)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Cut(message.Title, 150)) },
        };
        if (message.Job is { } job)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray(
                    Markdown($"*Type*\n{job.Type}"), Markdown($"*Queue*\n{job.Queue}"),
                    Markdown($"*Attempts*\n{job.Attempts.ToString(CultureInfo.InvariantCulture)}"), Markdown($"*Job*\n#{job.Id.ToString(CultureInfo.InvariantCulture)}")),
            });
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown("*Error*\n```" + Cut(job.Error, 2900) + "```") });
            if (JobLink(job.Id) is { } link)
                blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown($"<{link}|Open job #{job.Id.ToString(CultureInfo.InvariantCulture)} in the dashboard>") });
        }
        else
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown(Cut(message.Text, 3000)) });
        }
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(Markdown($"Leora Jobs · {message.Event} · {message.At.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}")),
        });
        return new JsonObject { ["text"] = Cut(message.Title, 3000), ["blocks"] = blocks };
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    // The Standard Webhooks payload shape: type, timestamp, data.
    private JsonObject WebhookEvent(NotificationMessage message)
    {
        var data = JsonSerializer.SerializeToNode(message, JobJson.Options)!.AsObject();
        if (message.Job is { } job && JobLink(job.Id) is { } link) data["link"] = link;
        return new JsonObject
        {
            ["type"] = message.Event switch
            {
                "failed" => "job.failed",
                "digest" => "job.failed.digest",
                "alert" => "alert.firing",
                "resolved" => "alert.resolved",
                _ => "notification.test",
            },
            ["timestamp"] = message.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["data"] = data,
        };
    }

    public void Dispose() => _http.Dispose();
}
