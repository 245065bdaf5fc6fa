using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The documentation's examples run as documented, and bad options fail at start.</summary>
public sealed class DocsExampleTests
{
    [Fact]
    public async Task The_documented_host_serves_the_dashboard_and_signs_in_a_read_only_key()
    {
        using var db = new TempSqlite();
        await using var app = DocsExample.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], db.ConnectionString);
        await app.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(new Uri(app.Urls.First()), "/jobs/") };

        var html = await client.GetStringAsync("");
        Assert.Contains("<title>Leora CRM jobs</title>", html, StringComparison.Ordinal);
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/signin") { Content = JsonContent.Create(new { key = "support-team-key" }) };
        request.Headers.Add(session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString());
        using var signIn = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        session = await client.GetFromJsonAsync<JsonElement>("api/session");
        Assert.True(session.GetProperty("readOnly").GetBoolean());
        await app.StopAsync();
    }

    [Fact]
    public void The_documented_host_sign_in_sets_both_policies()
    {
        var services = new ServiceCollection();
        DocsExample.UseHostSignIn(services);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<JobsDashboardOptions>>().Value;
        Assert.Equal("jobs-viewer", options.AuthorizationPolicy);
        Assert.Equal("jobs-operator", options.ActionPolicy);
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("session")]
    [InlineData("retryAll")]
    [InlineData("actionWithoutView")]
    [InlineData("ratio")]
    public void Bad_options_fail_validation(string which)
    {
        var services = new ServiceCollection();
        services.AddLeoraJobsDashboard(o =>
        {
            switch (which)
            {
                case "poll": o.PollInterval = TimeSpan.FromMilliseconds(10); break;
                case "session": o.SessionLifetime = TimeSpan.Zero; break;
                case "retryAll": o.RetryAllLimit = 0; break;
                case "actionWithoutView": o.ActionPolicy = "ops"; break;
                case "ratio": o.FailureAlertRatio = 0; break;
            }
        });
        using var provider = services.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<JobsDashboardOptions>>().Value);
    }
}
