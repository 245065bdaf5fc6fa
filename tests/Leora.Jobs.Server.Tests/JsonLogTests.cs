using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Server.Tests;

/// <summary>The JSON console format for log shippers (docs/monitoring.md): every line one JSON object, never an API key.</summary>
public sealed class JsonLogTests
{
    private const string Key = "json-log-test-key-9a3f5d71";
    private const string WrongKey = "json-log-wrong-key-2c8e40b6";

    [Fact]
    public async Task With_the_json_formatter_every_log_line_is_a_JSON_object_and_no_line_carries_an_API_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var db = new TempSqlite();
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Jobs"] = db.ConnectionString,
            ["JOB_PROCESSOR_API_KEY"] = Key,
            ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
            ["Logging__Console__FormatterName"] = "json",
        };
        await using var server = await LeoraJobsProcess.StartAsync(db.Directory, env, "serve", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };

        // Requests with the wrong key and the right one, and a job that fails (with an exception and its stack trace).
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/jobs/stats"))
        {
            wrong.Headers.Add("x-api-key", WrongKey);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        http.DefaultRequestHeaders.Add("x-api-key", Key);
        var enqueued = await http.PostAsJsonAsync("/api/jobs", new
        {
            type = "webhook",
            maxAttempts = 1,
            payload = new { url = receiver.IpUrl("/boom"), method = "POST", headers = new Dictionary<string, string> { ["x-api-key"] = WrongKey } },
        });
        Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
        await Eventually.WaitAsync(() => Task.FromResult(server.Err.Any(l => l.Contains("\"EventId\":1003", StringComparison.Ordinal))),
            TimeSpan.FromMinutes(1), "the job's failure to be logged");
        Assert.Equal(0, await server.StopAsync());

        var lines = server.Err.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            JsonElement entry;
            try
            {
                entry = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException ex)
            {
                throw new Xunit.Sdk.XunitException($"a log line is not JSON ({ex.Message}): {line}");
            }
            Assert.Equal(JsonValueKind.Object, entry.ValueKind);
            foreach (var member in new[] { "Timestamp", "EventId", "LogLevel", "Category", "Message" })
                Assert.True(entry.TryGetProperty(member, out _), $"no {member} in {line}");
        }
        var failed = JsonDocument.Parse(lines.First(l => l.Contains("\"EventId\":1003", StringComparison.Ordinal))).RootElement;
        Assert.Equal("Error", failed.GetProperty("LogLevel").GetString());
        Assert.Equal("webhook", failed.GetProperty("State").GetProperty("Type").GetString());
        Assert.Contains(lines, l => l.Contains("\"EventId\":2001", StringComparison.Ordinal));
        foreach (var line in lines.Concat(server.Out))
        {
            Assert.DoesNotContain(Key, line, StringComparison.Ordinal);
            Assert.DoesNotContain(WrongKey, line, StringComparison.Ordinal);
        }
    }
}
