using System.Net;
using System.Text;
using System.Text.Json;
using Leora.Jobs.TestSupport;
using StandardWebhooks;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// Each channel against a real server on 127.0.0.1: Slack's Block Kit to a local HTTP receiver, e-mail through MailKit to
/// Debian's aiosmtpd, a webhook whose receiver verifies the Standard Webhooks signature with the StandardWebhooks library.
/// A job fails for good through a real batch; the batch's evaluation enqueues the notification job; the next batch sends it.
/// </summary>
public sealed class ChannelTests
{
    private const string SlackSecret = "T0SECRET/B0SECRET/Xk3ySecretPathToken";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Slack_gets_Block_Kit_with_type_queue_error_attempts_and_a_link_and_no_secret_is_stored_or_logged(string provider)
    {
        await using var slack = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.PublicBaseUrl = new Uri("https://jobs.example.com/jobs/");
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl($"/hook/services/{SlackSecret}")) };
        });
        await h.Evaluator.EvaluateAsync(batch: false, CancellationToken.None); // starts the failure feed

        var failed = await h.Client.EnqueueAsync(new FailArgs("card declined: insufficient funds"));
        await h.ProcessAsync(); // fails the job for good, then enqueues its notification
        await h.ProcessAsync(); // sends it

        var request = Assert.Single(slack.Accepted);
        Assert.Equal($"/hook/services/{SlackSecret}", request.Path);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Contains($"#{failed.Id}", root.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = root.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        var fields = blocks[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        Assert.Equal(["*Type*\nalways_fails", "*Queue*\ndefault", "*Attempts*\n1", $"*Job*\n#{failed.Id}"], fields);
        Assert.Contains("card declined: insufficient funds", blocks[2].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal($"<https://jobs.example.com/jobs/#/job/{failed.Id}|Open job #{failed.Id} in the dashboard>",
            blocks[3].GetProperty("text").GetProperty("text").GetString());

        // The notification job names its channel; the webhook URL (Slack's secret) is in no payload and no log line.
        var notification = Assert.Single(await h.NotificationJobsAsync());
        Assert.Equal(JobStatus.Completed, notification.Status);
        Assert.Equal("ops", notification.Payload.GetProperty("channel").GetString());
        Assert.DoesNotContain("SECRET", notification.Payload.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("Xk3ySecretPathToken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_send_is_retried_and_its_stored_error_does_not_name_the_secret_url()
    {
        await using var slack = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync("sqlite", o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl($"/hook/services/{SlackSecret}")) };
        });
        await h.Evaluator.SendTestAsync("ops", CancellationToken.None);
        slack.Down = true;
        await h.ProcessAsync();

        var job = Assert.Single(await h.NotificationJobsAsync());
        Assert.Equal(JobStatus.Pending, job.Status); // a retry is scheduled
        var info = await h.Client.GetAsync(job.Id);
        var error = Assert.Single(info!.Errors);
        Assert.Equal("Channel 'ops' answered HTTP 503.", error.Message);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("Xk3ySecretPathToken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Email_reaches_a_real_SMTP_server_with_subject_recipients_and_text_and_html_parts()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var h = await NotificationHarness.CreateAsync("sqlite", o => o.Email["oncall"] = new EmailChannelOptions
        {
            Host = "127.0.0.1",
            Port = smtp.Port,
            Security = SmtpSecurity.None,
            From = "leora@example.com",
            To = { "ops@example.com", "lead@example.com" },
        });
        await h.Evaluator.EvaluateAsync(batch: false, CancellationToken.None);

        var failed = await h.Client.EnqueueAsync(new FailArgs("SMTP relay <refused> & gave up"));
        await h.ProcessAsync();
        await h.ProcessAsync();

        var mail = await Eventually.WaitAsync(() => Task.FromResult(smtp.Messages()), m => m.Count > 0, TimeSpan.FromSeconds(30), "the mail in the Maildir");
        var message = Assert.Single(mail);
        Assert.Equal($"Job #{failed.Id} (always_fails) failed: SMTP relay <refused> & gave up", message.Subject);
        Assert.Equal("leora@example.com", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal(["ops@example.com", "lead@example.com"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Contains($"Job #{failed.Id} of type always_fails in queue default failed for good after 1 attempt.", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Error: SMTP relay <refused> & gave up", message.TextBody, StringComparison.Ordinal);
        // The HTML part escapes what the error says.
        Assert.Contains("SMTP relay &lt;refused&gt; &amp; gave up", message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Completed, Assert.Single(await h.NotificationJobsAsync()).Status);
    }

    [Fact]
    public async Task Webhook_is_signed_per_Standard_Webhooks_and_its_receiver_rejects_a_tampered_body()
    {
        var secret = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("a-signing-key-of-32-bytes-long!!"));
        var verifier = new StandardWebhook(secret);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Check = (body, headers) =>
        {
            try
            {
                verifier.Verify(body, headers);
                return true;
            }
            catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
            {
                return false;
            }
        };
        await using var h = await NotificationHarness.CreateAsync("sqlite", o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Webhook["events"] = new WebhookChannelOptions { Url = new Uri(receiver.IpUrl("/hook/leora")), Secret = secret };
        });
        await h.Evaluator.EvaluateAsync(batch: false, CancellationToken.None);

        var failed = await h.Client.EnqueueAsync(new FailArgs("quota exceeded"));
        await h.ProcessAsync();
        await h.ProcessAsync();

        Assert.Equal(0, receiver.Refusals);
        var accepted = Assert.Single(receiver.Accepted);
        var (headers, body) = (accepted.Headers, accepted.Body);
        var notification = Assert.Single(await h.NotificationJobsAsync());
        Assert.Equal($"msg_leora_{notification.Id}", headers["webhook-id"].ToString());
        using (var json = JsonDocument.Parse(body))
        {
            Assert.Equal("job.failed", json.RootElement.GetProperty("type").GetString());
            var job = json.RootElement.GetProperty("data").GetProperty("job");
            Assert.Equal(failed.Id, job.GetProperty("id").GetInt64());
            Assert.Equal("quota exceeded", job.GetProperty("error").GetString());
        }
        Assert.DoesNotContain("whsec_", notification.Payload.GetRawText(), StringComparison.Ordinal);

        // The same headers with a changed body: the receiver's verification refuses it.
        using var http = new HttpClient();
        using var tampered = new HttpRequestMessage(HttpMethod.Post, receiver.IpUrl("/hook/leora"))
        {
            Content = new StringContent(body.Replace("quota exceeded", "all is well", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature" })
            tampered.Headers.TryAddWithoutValidation(name, headers[name].ToString());
        using var response = await http.SendAsync(tampered);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, receiver.Refusals);
    }

    [Fact]
    public async Task A_test_message_goes_to_the_named_channel_only_and_an_unknown_channel_is_refused()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync("sqlite", o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Slack["a"] = new SlackChannelOptions { WebhookUrl = new Uri(receiver.IpUrl("/hook/a")) };
            o.Slack["b"] = new SlackChannelOptions { WebhookUrl = new Uri(receiver.IpUrl("/hook/b")) };
        });

        Assert.NotNull(await h.Evaluator.SendTestAsync("b", CancellationToken.None));
        Assert.Null(await h.Evaluator.SendTestAsync("nope", CancellationToken.None));
        await h.ProcessAsync();

        var request = Assert.Single(receiver.Accepted);
        Assert.Equal("/hook/b", request.Path);
        Assert.Contains("test message", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_on_a_non_public_address_is_refused_by_the_SSRF_guard_unless_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync("sqlite", o =>
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(receiver.IpUrl("/hook/x")) });
        await h.Evaluator.EvaluateAsync(batch: false, CancellationToken.None); // starts the failure feed
        await h.Evaluator.SendTestAsync("ops", CancellationToken.None);
        await h.ProcessAsync();

        Assert.Empty(receiver.Accepted);
        var job = Assert.Single(await h.NotificationJobsAsync());
        Assert.Equal(JobStatus.Failed, job.Status); // refused for good, not retried
        var info = await h.Client.GetAsync(job.Id);
        Assert.Contains("Jobs:Notifications:AllowedHosts", Assert.Single(info!.Errors).Message, StringComparison.Ordinal);

        // The failed notification job is not news itself: the next evaluations enqueue nothing about it.
        await h.ProcessAsync();
        Assert.Single(await h.NotificationJobsAsync());
    }
}
