using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// Notifications in a cron-only deployment (issue 13): a real <c>leora-jobs serve --no-worker</c> whose only trigger is
/// <c>POST /api/jobs/process</c>. A job fails for good in one batch call, the evaluation after that batch enqueues the
/// notification job, and a later batch call delivers it to a receiver on 127.0.0.1 as a Standard Webhooks event whose
/// signature the StandardWebhooks library verifies. The leader's own evaluation is an hour away, so the batch calls alone
/// produce it.
/// </summary>
public sealed class NotificationProcessTests
{
    private const string Key = "notify-process-key-3e7a51";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_job_that_fails_for_good_in_a_batch_call_reaches_a_signed_webhook_through_later_batch_calls_only(string provider)
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var db = TestDatabase.Create(provider, "notify");
        using var folder = new TempSqlite();
        var env = db.ServerEnvironment().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        env["JOB_PROCESSOR_API_KEY"] = Key;
        env["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1";
        env["Jobs__Notifications__AllowedHosts__0"] = "127.0.0.1";
        env["Jobs__Notifications__PublicBaseUrl"] = "https://jobs.example.com/jobs/";
        env["Jobs__Notifications__EvaluationInterval"] = "1h";
        env["Jobs__Notifications__Webhook__events__Url"] = receiver.IpUrl("/ok?tag=alerts");
        env["Jobs__Notifications__Webhook__events__Secret"] = secret;

        await using var server = await LeoraJobsProcess.StartAsync(folder.Directory, env, "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };
        http.DefaultRequestHeaders.Add("x-api-key", Key);

        // The first batch call's evaluation starts the failure feed (what failed before notifications began is not news).
        Assert.Equal(0, (await BatchAsync(http)).GetProperty("processed").GetInt32());

        // A webhook job whose receiver answers 400 fails for good at its first attempt, in a batch call.
        var failed = await EnqueueAsync(http, new { type = "webhook", payload = new { url = receiver.IpUrl("/bad?tag=job"), method = "POST" } });
        Assert.Equal(1, (await BatchAsync(http)).GetProperty("failed").GetInt32());
        Assert.Equal("failed", (await JobAsync(http, failed)).GetProperty("status").GetString());
        // That batch's evaluation enqueued the notification as a job; nothing has been sent yet.
        var notifications = (await http.GetFromJsonAsync<JsonElement>("/api/jobs?type=leora.notification")).GetProperty("items").EnumerateArray().ToList();
        var notification = Assert.Single(notifications);
        Assert.Equal("pending", notification.GetProperty("status").GetString());
        Assert.Empty(receiver.For("alerts"));

        // The next batch call delivers it.
        var delivery = await BatchAsync(http);
        Assert.Equal(1, delivery.GetProperty("succeeded").GetInt32());
        var request = Assert.Single(receiver.For("alerts"));
        var id = notification.GetProperty("id").GetInt64();
        Assert.Equal($"msg_leora_{id}", request.Headers["webhook-id"]);
        var headers = new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
        new StandardWebhook(secret).Verify(request.Body, headers);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            new StandardWebhook(secret).Verify(request.Body.Replace("400", "200", StringComparison.Ordinal), headers));

        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("job.failed", json.RootElement.GetProperty("type").GetString());
        var data = json.RootElement.GetProperty("data");
        var job = data.GetProperty("job");
        Assert.Equal(failed, job.GetProperty("id").GetInt64());
        Assert.Equal("webhook", job.GetProperty("type").GetString());
        Assert.Contains("answered 400", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal($"https://jobs.example.com/jobs/#/job/{failed}", data.GetProperty("link").GetString());

        // The notification job is completed, and neither it nor the API names the signing secret.
        var done = await JobAsync(http, id);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.DoesNotContain(secret, done.GetRawText(), StringComparison.Ordinal);
        // Its own success is not news: a further batch call sends nothing more.
        await BatchAsync(http);
        Assert.Single(receiver.For("alerts"));
        Assert.DoesNotContain(server.Err, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task An_API_only_leader_whose_cron_has_stopped_delivers_the_NoWorker_alert_itself_and_resolved_follows_the_next_batch_call()
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var receiver = await WebhookReceiver.StartAsync();
        using var db = new TempSqlite();
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Jobs"] = db.ConnectionString,
            ["JOB_PROCESSOR_API_KEY"] = Key,
            ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
            ["Jobs__Notifications__AllowedHosts__0"] = "127.0.0.1",
            ["Jobs__Notifications__EvaluationInterval"] = "1s",
            ["Jobs__Notifications__QuietPeriod"] = "0s",
            ["Jobs__Notifications__Webhook__pager__Url"] = receiver.IpUrl("/ok?tag=pager"),
            ["Jobs__Notifications__Webhook__pager__Secret"] = secret,
            ["Jobs__Notifications__Rules__silent__Kind"] = "NoWorker",
            ["Jobs__Notifications__Rules__silent__Threshold"] = "3s",
            ["Jobs__Notifications__Rules__silent__Channels"] = "pager",
        };
        // No worker, and no batch call yet: the service is the maintenance leader (it prunes) and nothing else runs jobs.
        await using var server = await LeoraJobsProcess.StartAsync(db.Directory, env, "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };
        http.DefaultRequestHeaders.Add("x-api-key", Key);
        var waiting = await EnqueueAsync(http, new { type = "webhook", payload = new { url = receiver.IpUrl("/ok?tag=job"), method = "POST" } });

        // The leader's evaluation fires the rule and delivers the alert itself: the job is still waiting, no batch came.
        var firing = await Eventually.WaitAsync(() => Task.FromResult(Events(receiver, secret)), e => e.Count > 0, TimeSpan.FromMinutes(1),
            "the NoWorker alert at the receiver");
        Assert.Equal("alert.firing", firing[0].GetProperty("type").GetString());
        Assert.Equal("silent", firing[0].GetProperty("data").GetProperty("rule").GetString());
        Assert.Equal("pending", (await JobAsync(http, waiting)).GetProperty("status").GetString());
        Assert.Empty(receiver.For("job"));

        // The cron comes back: its batch call runs the job and is a sign of life; "resolved" reaches the receiver.
        await BatchAsync(http);
        Assert.Single(receiver.For("job"));
        var events = await Eventually.WaitAsync(() => Task.FromResult(Events(receiver, secret)),
            e => e.Any(x => x.GetProperty("type").GetString() == "alert.resolved"), TimeSpan.FromMinutes(1), "the resolved message");
        Assert.Equal(["alert.firing", "alert.resolved"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(0, await server.StopAsync());
    }

    // The events the receiver got on the pager channel, each verified with the StandardWebhooks library.
    private static List<JsonElement> Events(WebhookReceiver receiver, string secret) =>
    [
        .. receiver.For("pager").Select(r =>
        {
            new StandardWebhook(secret).Verify(r.Body, new HeaderDictionary(r.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value))));
            return JsonDocument.Parse(r.Body).RootElement.Clone();
        }),
    ];

    private static async Task<JsonElement> BatchAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/api/jobs/process?maxJobs=10", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<long> EnqueueAsync(HttpClient http, object job)
    {
        using var response = await http.PostAsJsonAsync("/api/jobs", job);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    private static Task<JsonElement> JobAsync(HttpClient http, long id) => http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
}
