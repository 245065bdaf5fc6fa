using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// Attacks on the dashboard's sessions over real HTTP (issue 11): a cookie copied before sign-out, an anti-forgery pair
/// taken without a session and replayed with a victim's cookie, the token sent as a form field, key guessing at full
/// speed, and answers outside the dashboard's routes.
/// </summary>
public sealed class SessionSecurityTests
{
    private const string SessionCookie = ".Leora.Jobs.Dashboard";

    /// <summary>What a browser keeps for the dashboard: its cookies and the anti-forgery token the page last fetched.</summary>
    private sealed class Browser : IDisposable
    {
        private readonly CookieContainer _cookies = new();

        public Browser(DashboardHost host, IPAddress? from = null)
        {
            HttpMessageHandler handler = from is null
                ? new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }
                : FromAddress(from, _cookies);
            Http = new HttpClient(handler) { BaseAddress = host.Dashboard };
        }

        public HttpClient Http { get; }
        public (string Header, string Token) Csrf { get; private set; }
        public IEnumerable<Cookie> AllCookies => _cookies.GetAllCookies();

        public string? Cookie(string name) => AllCookies.FirstOrDefault(c => c.Name == name)?.Value;

        /// <summary>Loads the session endpoint as the page does, keeping its anti-forgery token.</summary>
        public async Task<(string Header, string Token)> RefreshTokenAsync()
        {
            var session = await Http.GetFromJsonAsync<JsonElement>("api/session");
            Csrf = (session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString()!);
            return Csrf;
        }

        public async Task<HttpResponseMessage> SignInAsync(string key)
        {
            if (Csrf == default) await RefreshTokenAsync();
            var response = await Http.SendAsync(Post("api/signin", new { key }, Csrf));
            // After sign-in the page fetches the session again, and with it a token for the new session.
            if (response.StatusCode == HttpStatusCode.NoContent) await RefreshTokenAsync();
            return response;
        }

        public void Dispose() => Http.Dispose();
    }

    private static HttpRequestMessage Post(string path, object? body, (string Header, string Token)? csrf)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (csrf is { } c) request.Headers.Add(c.Header, c.Token);
        return request;
    }

    /// <summary>A client that sends exactly the Cookie header it is given (an attacker replaying stolen cookies).</summary>
    private static HttpClient Raw(DashboardHost host) =>
        new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.Dashboard };

    private static async Task<HttpStatusCode> OverviewWithCookieAsync(DashboardHost host, string cookie)
    {
        using var client = Raw(host);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/overview");
        request.Headers.Add("Cookie", $"{SessionCookie}={cookie}");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    // ---- Item 4: sign-out ends the session on the server ----------------------------------------------------------

    [Fact]
    public async Task Signing_out_revokes_the_session_so_a_copy_of_its_cookie_is_refused()
    {
        await using var host = await DashboardHost.StartAsync();
        using var operatorBrowser = new Browser(host);
        using (var signIn = await operatorBrowser.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var copied = operatorBrowser.Cookie(SessionCookie)!;
        Assert.Equal(HttpStatusCode.OK, await OverviewWithCookieAsync(host, copied));

        // A second session of the same key is a different session: signing the first out leaves it alone.
        using var colleague = new Browser(host);
        using (var signIn = await colleague.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);

        using (var signOut = await operatorBrowser.Http.SendAsync(Post("api/signout", null, operatorBrowser.Csrf)))
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Null(operatorBrowser.Cookie(SessionCookie));

        Assert.Equal(HttpStatusCode.Unauthorized, await OverviewWithCookieAsync(host, copied));
        using var colleagueOverview = await colleague.Http.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.OK, colleagueOverview.StatusCode);
    }

    [Fact]
    public async Task With_a_shared_cache_and_key_ring_a_session_signed_out_on_one_instance_is_refused_on_another()
    {
        // Two instances behind a load balancer, set up as docs/dashboard.md says: one data-protection key ring and one
        // IDistributedCache (here one in-memory instance shared by both hosts, standing in for Redis or SQL Server).
        var keys = new EphemeralDataProtectionProvider();
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        void Shared(Microsoft.AspNetCore.Builder.WebApplicationBuilder b)
        {
            b.Services.AddSingleton<IDataProtectionProvider>(keys);
            b.Services.AddSingleton<IDistributedCache>(cache);
        }
        await using var a = await DashboardHost.StartAsync(dashboard: o => o.ApiKeys.Add("shared-key"), configureBuilder: Shared);
        await using var b = await DashboardHost.StartAsync(dashboard: o => o.ApiKeys.Add("shared-key"), configureBuilder: Shared);

        using var onA = new Browser(a);
        using (var signIn = await onA.SignInAsync("shared-key")) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var copied = onA.Cookie(SessionCookie)!;
        Assert.Equal(HttpStatusCode.OK, await OverviewWithCookieAsync(b, copied));

        using (var signOut = await onA.Http.SendAsync(Post("api/signout", null, onA.Csrf)))
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await OverviewWithCookieAsync(b, copied));
        Assert.Equal(HttpStatusCode.Unauthorized, await OverviewWithCookieAsync(a, copied));
    }

    // ---- Item 5: the anti-forgery token is bound to the session, and read from the header only ----------------------

    [Fact]
    public async Task An_anti_forgery_pair_fetched_without_a_session_does_not_work_with_a_victims_session_cookie()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = (await host.Client.EnqueueAsync(new EchoArgs("keep me"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) })).Id;

        // The attacker's own anonymous visit: an anti-forgery cookie and its request token.
        using var attacker = new Browser(host);
        var (header, token) = await attacker.RefreshTokenAsync();
        var antiforgeryCookie = attacker.AllCookies.Single(c => c.Name.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));

        // The victim's session cookie (planted or stolen: the point is that the pair alone must not be enough).
        using var victim = new Browser(host);
        using (var signIn = await victim.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var session = victim.Cookie(SessionCookie)!;

        using var client = Raw(host);
        foreach (var (method, path) in new[] { (HttpMethod.Post, $"api/jobs/{id}/cancel"), (HttpMethod.Delete, $"api/jobs/{id}"), (HttpMethod.Post, "api/signout") })
        {
            using var forged = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { }) };
            forged.Headers.Add("Cookie", $"{antiforgeryCookie.Name}={antiforgeryCookie.Value}; {SessionCookie}={session}");
            forged.Headers.Add(header, token);
            using var response = await client.SendAsync(forged);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(id))!.Status);
        // The victim's session was not signed out by the forged sign-out either.
        Assert.Equal(HttpStatusCode.OK, await OverviewWithCookieAsync(host, session));

        // The victim's own page, with the token issued to its session, still acts.
        using var own = await victim.Http.SendAsync(Post($"api/jobs/{id}/cancel", null, victim.Csrf));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(JobStatus.Cancelled, (await host.Client.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task A_token_issued_to_an_earlier_session_is_refused_in_the_next_one()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = (await host.Client.EnqueueAsync(new EchoArgs("keep me"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) })).Id;
        using var browser = new Browser(host);
        using (var signIn = await browser.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var earlier = browser.Csrf;
        using (var signOut = await browser.Http.SendAsync(Post("api/signout", null, earlier))) Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        await browser.RefreshTokenAsync();
        using (var signIn = await browser.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);

        using var stale = await browser.Http.SendAsync(Post($"api/jobs/{id}/cancel", null, earlier));
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task The_anti_forgery_token_is_refused_as_a_form_field()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = (await host.Client.EnqueueAsync(new EchoArgs("keep me"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) })).Id;
        using var victim = new Browser(host);
        using (var signIn = await victim.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);

        // What a cross-site <form> could post: the session's own valid token, as ASP.NET Core's form field.
        foreach (var path in new[] { $"api/jobs/{id}/cancel", "api/signout" })
        {
            using var form = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new FormUrlEncodedContent([new("__RequestVerificationToken", victim.Csrf.Token)]),
            };
            using var response = await victim.Http.SendAsync(form);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(victim.Csrf.Header, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(id))!.Status);
        using var overview = await victim.Http.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
    }

    // ---- Item 10: sign-in is rate-limited per client address ------------------------------------------------------

    [Fact]
    public async Task Sign_in_past_the_configured_limit_answers_429_with_Retry_After_until_the_window_ends()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await DashboardHost.StartAsync(
            dashboard: o => { o.SignInAttemptLimit = 3; o.SignInAttemptWindow = TimeSpan.FromMinutes(2); },
            configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var guesser = new Browser(host);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await guesser.SignInAsync($"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // The fourth attempt is refused before the key is looked at: the right key gets the same 429.
        foreach (var key in new[] { "guess-3", host.FullKey })
        {
            using var limited = await guesser.SignInAsync(key);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
            Assert.Null(guesser.Cookie(SessionCookie));
        }

        // Another address is counted on its own.
        using var neighbour = new Browser(host, IPAddress.Parse("127.0.0.2"));
        using (var other = await neighbour.SignInAsync(host.FullKey)) Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);

        clock.Advance(TimeSpan.FromMinutes(1));
        using (var stillLimited = await guesser.SignInAsync(host.FullKey))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
            Assert.InRange(stillLimited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        }
        clock.Advance(TimeSpan.FromMinutes(1));
        using var afterWindow = await guesser.SignInAsync(host.FullKey);
        Assert.Equal(HttpStatusCode.NoContent, afterWindow.StatusCode);
        using var overview = await guesser.Http.GetAsync("api/overview");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
    }

    [Fact]
    public async Task Sign_in_is_limited_to_ten_attempts_a_minute_by_default_and_the_limit_can_be_turned_off()
    {
        await using (var host = await DashboardHost.StartAsync())
        {
            using var guesser = new Browser(host);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 11; i++)
            {
                using var response = await guesser.SignInAsync($"guess-{i}");
                statuses.Add(response.StatusCode);
            }
            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), HttpStatusCode.TooManyRequests], statuses);
        }
        await using (var host = await DashboardHost.StartAsync(dashboard: o => o.SignInAttemptLimit = 0))
        {
            using var guesser = new Browser(host);
            for (var i = 0; i < 12; i++)
            {
                using var response = await guesser.SignInAsync($"guess-{i}");
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
    }

    [Theory]
    [InlineData(-1, 60, "Jobs:Dashboard:SignInAttemptLimit must be 0 (no limit) to 10000.")]
    [InlineData(10_001, 60, "Jobs:Dashboard:SignInAttemptLimit must be 0 (no limit) to 10000.")]
    [InlineData(10, 0.5, "Jobs:Dashboard:SignInAttemptWindow must be 1 second to 1 day.")]
    [InlineData(10, 86_401, "Jobs:Dashboard:SignInAttemptWindow must be 1 second to 1 day.")]
    public async Task Sign_in_limit_settings_out_of_range_stop_the_host_with_a_message_naming_them(int limit, double windowSeconds, string message)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => DashboardHost.StartAsync(
            dashboard: o => { o.SignInAttemptLimit = limit; o.SignInAttemptWindow = TimeSpan.FromSeconds(windowSeconds); }));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    // A handler whose connections leave from <paramref name="local"/> (any 127.x address reaches the server on loopback).
    private static SocketsHttpHandler FromAddress(IPAddress local, CookieContainer cookies) => new()
    {
        CookieContainer = cookies,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    // ---- Item 7: every answer under the prefix carries the security headers, 404s included -----------------------

    [Theory]
    [InlineData("GET", "nothing-here")]
    [InlineData("GET", "api/nothing")]
    [InlineData("GET", "api/jobs/not-a-number")]
    [InlineData("POST", "api/nothing")]
    [InlineData("GET", "assets/nothing.js")]
    [InlineData("GET", "deep/path/that/does/not/exist")]
    public async Task Answers_the_dashboard_has_no_route_for_still_carry_the_security_headers(string method, string path)
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = Raw(host);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}
