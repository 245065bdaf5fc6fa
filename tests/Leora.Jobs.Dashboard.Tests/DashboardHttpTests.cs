using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The dashboard's HTTP surface with a plain HttpClient: sessions, anti-forgery, headers, caching, bad input.</summary>
public sealed class DashboardHttpTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private (HttpClient Client, CookieContainer Cookies) NewClient()
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _host.Dashboard };
        return (client, cookies);
    }

    private static async Task<(string Header, string Token)> TokenAsync(HttpClient client)
    {
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        return (session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString()!);
    }

    private static HttpRequestMessage Post(string path, object? body, (string Header, string Token)? csrf)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (csrf is { } c) request.Headers.Add(c.Header, c.Token);
        return request;
    }

    private async Task<(HttpClient Client, (string Header, string Token) Csrf)> SignedInAsync(string key)
    {
        var (client, _) = NewClient();
        var csrf = await TokenAsync(client);
        using var response = await client.SendAsync(Post("api/signin", new { key }, csrf));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        // As the page does: the token is issued to the session, so a new one is fetched once signed in.
        return (client, await TokenAsync(client));
    }

    [Fact]
    public async Task Sign_in_refuses_a_wrong_key_and_a_missing_token()
    {
        var (client, cookies) = NewClient();
        using var _ = client;
        var csrf = await TokenAsync(client);

        using var wrong = await client.SendAsync(Post("api/signin", new { key = "nope" }, csrf));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);

        using var noToken = await client.SendAsync(Post("api/signin", new { key = _host.FullKey }, null));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == ".Leora.Jobs.Dashboard");

        using var overview = await client.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, overview.StatusCode);

        using var right = await client.SendAsync(Post("api/signin", new { key = _host.FullKey }, csrf));
        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        var cookie = Assert.Single(cookies.GetAllCookies(), c => c.Name == ".Leora.Jobs.Dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal("/jobs", cookie.Path);
        Assert.Contains("samesite=strict", right.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith(".Leora.Jobs.Dashboard", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        using var after = await client.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task State_changing_requests_without_the_anti_forgery_token_are_refused()
    {
        var id = (await _host.Client.EnqueueAsync(new FlakyArgs("x"))).Id;
        await _host.ProcessAllAsync();
        var (client, csrf) = await SignedInAsync(_host.FullKey);
        using var _ = client;

        var withoutToken = new List<HttpStatusCode>();
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Post, $"api/jobs/{id}/retry", null), (HttpMethod.Post, $"api/jobs/{id}/cancel", null),
            (HttpMethod.Delete, $"api/jobs/{id}", null), (HttpMethod.Post, "api/jobs", new { type = "echo", payload = new { text = "x" } }),
            (HttpMethod.Post, "api/failed/retry-all", new { }), (HttpMethod.Post, "api/cleanup", new { olderThanHours = 0 }),
        })
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body ?? new { }) };
            using var response = await client.SendAsync(request);
            withoutToken.Add(response.StatusCode);
        }
        Assert.All(withoutToken, s => Assert.Equal(HttpStatusCode.BadRequest, s));

        // A forged token is no better.
        using var forged = await client.SendAsync(Post($"api/jobs/{id}/retry", null, (csrf.Header, csrf.Token[..^4] + "AAAA")));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var job = await _host.Client.GetAsync(id);
        Assert.Equal(JobStatus.Failed, job!.Status);
        Assert.Single((await _host.Client.ListAsync(new JobQuery())).Items);

        using var withToken = await client.SendAsync(Post($"api/jobs/{id}/retry", null, csrf));
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(JobStatus.Pending, (await _host.Client.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task Pages_carry_security_headers_and_assets_are_cached_by_etag()
    {
        var (client, _) = NewClient();
        using var __ = client;
        using var redirect = await client.GetAsync(new Uri(_host.Root, "/jobs"));
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/jobs/", redirect.Headers.Location?.OriginalString);

        using var page = await client.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(assets/app.js\\?v=[0-9a-f]+)\"").Groups[1].Value;
        using var js = await client.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", js.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var body = await js.Content.ReadAsStringAsync();
        Assert.DoesNotContain("innerHTML", body, StringComparison.Ordinal);
        Assert.DoesNotContain("eval(", body, StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, script);
        again.Headers.IfNoneMatch.Add(js.Headers.ETag!);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await client.GetAsync("assets/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_and_writes_nothing()
    {
        var (client, csrf) = await SignedInAsync(_host.FullKey);
        using var _ = client;

        using var unknownType = await client.SendAsync(Post("api/jobs", new { type = "nope", payload = new { } }, csrf));
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.StatusCode);
        Assert.Equal("application/problem+json", unknownType.Content.Headers.ContentType?.MediaType);
        Assert.Contains("echo", await unknownType.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var badPayload = await client.SendAsync(Post("api/jobs", new { type = "echo", payload = new { text = 5 } }, csrf));
        Assert.Equal(HttpStatusCode.BadRequest, badPayload.StatusCode);
        Assert.Equal("payload.text", (await badPayload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var text = new HttpRequestMessage(HttpMethod.Post, "api/jobs") { Content = new StringContent("type=echo", Encoding.UTF8, "text/plain") };
        text.Headers.Add(csrf.Header, csrf.Token);
        using var wrongType = await client.SendAsync(text);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);

        var big = new HttpRequestMessage(HttpMethod.Post, "api/jobs")
        {
            Content = new StringContent("{\"type\":\"echo\",\"payload\":{\"text\":\"" + new string('x', 1_100_000) + "\"}}", Encoding.UTF8, "application/json"),
        };
        big.Headers.Add(csrf.Header, csrf.Token);
        using var tooLarge = await client.SendAsync(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        using var badStatus = await client.GetAsync("api/jobs?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        using var badCursor = await client.GetAsync("api/jobs?status=failed&cursor=abc");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        using var missing = await client.GetAsync("api/jobs/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var retryMissing = await client.SendAsync(Post("api/jobs/999999/retry", null, csrf));
        Assert.Equal(HttpStatusCode.NotFound, retryMissing.StatusCode);

        Assert.Empty((await _host.Client.ListAsync(new JobQuery())).Items);
    }

    [Fact]
    public async Task A_session_ends_when_its_key_is_removed_from_configuration()
    {
        await using var host = await DashboardHost.StartAsync(dashboard: o => o.ApiKeys.Add("rotating-key"));
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = host.Dashboard };
        var csrf = await TokenAsync(client);
        using (var signIn = await client.SendAsync(Post("api/signin", new { key = "rotating-key" }, csrf)))
            Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        using (var ok = await client.GetAsync("api/overview")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsDashboardOptions>>().Value.ApiKeys.Clear();
        using var after = await client.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
