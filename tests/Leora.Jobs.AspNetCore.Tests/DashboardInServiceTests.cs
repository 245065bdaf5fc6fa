using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.Dashboard;
using Leora.Jobs.Server;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>The dashboard as <c>leora-jobs serve</c> mounts it: tuned from <c>Jobs:Dashboard</c>, validated at start.</summary>
public sealed class DashboardInServiceTests
{
    [Fact]
    public async Task Jobs_Dashboard_settings_tune_the_sign_in_limit_and_the_title()
    {
        await using var service = await LeoraService.StartAsync("sqlite",
            ["--Jobs:Dashboard:SignInAttemptLimit=2", "--Jobs:Dashboard:SignInAttemptWindow=10m", "--Jobs:Dashboard:Title=Ops jobs"]);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(service.BaseAddress, "/jobs/") };
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        Assert.Equal("Ops jobs", session.Str("title"));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/signin") { Content = JsonContent.Create(new { key = i < 2 ? $"guess-{i}" : LeoraService.Key1 }) };
            request.Headers.Add(session.Str("csrfHeader"), session.Str("csrfToken"));
            last = await client.SendAsync(request);
            statuses.Add(last.StatusCode);
        }
        using (last)
        {
            Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
            Assert.InRange(last!.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        }
    }

    [Fact]
    public async Task Every_documented_Jobs_Dashboard_setting_reaches_the_dashboard_in_its_documented_form()
    {
        await using var service = await LeoraService.StartAsync("sqlite",
        [
            "--Jobs:Dashboard:ReadOnly=true", "--Jobs:Dashboard:SessionLifetime=2h", "--Jobs:Dashboard:SignInAttemptLimit=0",
            "--Jobs:Dashboard:SignInAttemptWindow=30s", "--Jobs:Dashboard:PollInterval=500ms", "--Jobs:Dashboard:RetryAllLimit=50",
            "--Jobs:Dashboard:BacklogAlertAge=00:10:00", "--Jobs:Dashboard:FailureAlertRatio=0.25", "--Jobs:Dashboard:Title=Ops jobs",
            // Not bound: serve's keys come from the key ring (read on every request), and serve has no host sign-in.
            "--Jobs:Dashboard:ApiKeys:0=bound-key", "--Jobs:Dashboard:AuthorizationPolicy=someone",
        ]);
        var o = service.App.Services.GetRequiredService<IOptions<JobsDashboardOptions>>().Value;
        Assert.True(o.ReadOnly);
        Assert.Equal(TimeSpan.FromHours(2), o.SessionLifetime);
        Assert.Equal(0, o.SignInAttemptLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), o.SignInAttemptWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.PollInterval);
        Assert.Equal(50, o.RetryAllLimit);
        Assert.Equal(TimeSpan.FromMinutes(10), o.BacklogAlertAge);
        Assert.Equal(0.25, o.FailureAlertRatio);
        Assert.Equal("Ops jobs", o.Title);
        Assert.Empty(o.ApiKeys);
        Assert.Null(o.AuthorizationPolicy);
    }

    [Theory]
    [InlineData("--Jobs:Dashboard:SignInAttemptLimit=-1", "Jobs:Dashboard:SignInAttemptLimit must be 0 (no limit) to 10000.")]
    [InlineData("--Jobs:Dashboard:SignInAttemptWindow=0s", "Jobs:Dashboard:SignInAttemptWindow must be 1 second to 1 day.")]
    [InlineData("--Jobs:Dashboard:SignInAttemptWindow=soon", "Jobs:Dashboard:SignInAttemptWindow")]
    [InlineData("--Jobs:Dashboard:SignInAttemptLimit=many", "Jobs:Dashboard:SignInAttemptLimit 'many' is not a whole number.")]
    public async Task A_bad_Jobs_Dashboard_setting_stops_serve_with_a_message_naming_it(string setting, string message)
    {
        await using var database = TestDatabase.Create("sqlite", "dash");
        var ex = Assert.ThrowsAny<OptionsValidationException>(() => ServerHost.BuildWebApp([.. database.ServerArguments(), "--urls=http://127.0.0.1:0", setting]));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
