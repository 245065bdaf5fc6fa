using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The dashboard behind the host's own authentication and authorization policies instead of API keys.</summary>
public sealed class HostAuthorizationTests : IAsyncLifetime
{
    private DashboardHost _host = null!;
    private long _failedId;

    public async Task InitializeAsync()
    {
        _host = await DashboardHost.StartAsync(
            dashboard: o => { o.AuthorizationPolicy = "jobs-viewer"; o.ActionPolicy = "jobs-operator"; },
            configureBuilder: b =>
            {
                b.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
                    .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
                b.Services.AddAuthorization(o =>
                {
                    o.AddPolicy("jobs-viewer", p => p.RequireAuthenticatedUser().RequireRole("viewer", "ops"));
                    o.AddPolicy("jobs-operator", p => p.RequireRole("ops"));
                });
            },
            configureApp: app => { app.UseAuthentication(); app.UseAuthorization(); });
        _failedId = (await _host.Client.EnqueueAsync(new FlakyArgs("x"))).Id;
        await _host.ProcessAllAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HttpClient As(string? user, string? roles = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _host.Dashboard };
        if (user is not null) client.DefaultRequestHeaders.Add("X-Test-User", user);
        if (roles is not null) client.DefaultRequestHeaders.Add("X-Test-Roles", roles);
        return client;
    }

    private static async Task<HttpStatusCode> RetryAsync(HttpClient client, long id, bool withToken)
    {
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{id}/retry") { Content = JsonContent.Create(new { }) };
        if (withToken) request.Headers.Add(session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString());
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Anonymous_users_are_challenged_by_the_host_and_see_no_data()
    {
        using var client = As(null);
        using var page = await client.GetAsync("");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        using var overview = await client.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, overview.StatusCode);
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        Assert.False(session.GetProperty("signedIn").GetBoolean());
        Assert.Equal("host", session.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Users_outside_the_policy_are_forbidden()
    {
        using var client = As("eve", "sales");
        using var page = await client.GetAsync("");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        using var jobs = await client.GetAsync("api/jobs?status=failed");
        Assert.Equal(HttpStatusCode.Forbidden, jobs.StatusCode);
    }

    [Fact]
    public async Task Viewers_look_but_only_operators_act()
    {
        using var viewer = As("val", "viewer");
        using (var page = await viewer.GetAsync("")) Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var session = await viewer.GetFromJsonAsync<JsonElement>("api/session");
        Assert.True(session.GetProperty("signedIn").GetBoolean());
        Assert.True(session.GetProperty("readOnly").GetBoolean());
        Assert.Equal("val", session.GetProperty("user").GetString());
        var failed = await viewer.GetFromJsonAsync<JsonElement>("api/jobs?status=failed");
        Assert.Equal(_failedId, failed.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal(HttpStatusCode.Forbidden, await RetryAsync(viewer, _failedId, withToken: true));
        Assert.Equal(JobStatus.Failed, (await _host.Client.GetAsync(_failedId))!.Status);

        // API keys mean nothing when the host decides.
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "api/signin") { Content = JsonContent.Create(new { key = _host.FullKey }) };
        signIn.Headers.Add(session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString());
        using (var refused = await viewer.SendAsync(signIn)) Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var operatorClient = As("ola", "ops");
        Assert.Equal(HttpStatusCode.BadRequest, await RetryAsync(operatorClient, _failedId, withToken: false));
        Assert.Equal(HttpStatusCode.OK, await RetryAsync(operatorClient, _failedId, withToken: true));
        Assert.Equal(JobStatus.Pending, (await _host.Client.GetAsync(_failedId))!.Status);
    }
}
