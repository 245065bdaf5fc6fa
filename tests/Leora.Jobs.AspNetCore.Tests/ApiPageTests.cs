using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The API page (Scalar, <c>/scalar/v1</c>) and the OpenAPI document carry the security headers on every answer, 404s
/// included (issue 11, item 7), and the page still works under its Content-Security-Policy in a real Chromium.
/// </summary>
public sealed partial class ApiPageTests : IAsyncLifetime
{
    private LeoraService _service = null!;

    public async Task InitializeAsync() => _service = await LeoraService.StartAsync("sqlite");

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [GeneratedRegex("<script[^>]*\\snonce=\"([^\"]+)\"")]
    private static partial Regex ScriptNonce();

    [Theory]
    [InlineData("/scalar/v1", HttpStatusCode.OK)]
    [InlineData("/scalar/scalar.js", HttpStatusCode.OK)]
    [InlineData("/scalar/v1/deeper/nothing", HttpStatusCode.NotFound)]
    [InlineData("/openapi/v1.json", HttpStatusCode.OK)]
    [InlineData("/openapi/nothing.json", HttpStatusCode.NotFound)]
    public async Task Every_answer_of_the_API_page_carries_the_security_headers(string path, HttpStatusCode status)
    {
        using var client = _service.Anonymous();
        using var response = await client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-inline' 'unsafe-eval'", csp, StringComparison.Ordinal);
        Assert.Matches("script-src 'self'( 'nonce-[^']+')?;", csp);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_page_lets_only_its_own_scripts_and_this_answers_nonce_run()
    {
        using var client = _service.Anonymous();
        string Nonce(HttpResponseMessage r) =>
            Regex.Match(Assert.Single(r.Headers.GetValues("Content-Security-Policy")), "'nonce-([^']+)'").Groups[1].Value;

        using var first = await client.GetAsync("/scalar/v1");
        using var second = await client.GetAsync("/scalar/v1");
        var nonce = Nonce(first);
        Assert.True(nonce.Length >= 16, "the policy names a nonce");
        Assert.NotEqual(nonce, Nonce(second));
        var html = await first.Content.ReadAsStringAsync();
        var tagged = ScriptNonce().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(tagged);
        Assert.All(tagged, n => Assert.Equal(nonce, n));
        // Every script tag carries it, the inline one that starts Scalar included.
        Assert.Equal(Regex.Matches(html, "<script").Count, tagged.Count);
    }

    [Fact]
    public async Task The_page_renders_in_Chromium_without_a_policy_violation()
    {
        const string Chromium = "/usr/bin/chromium";
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run ./build.sh test, which installs Debian's chromium.");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add(m.Text); };
        page.PageError += (_, e) => { lock (errors) errors.Add(e); };
        // Reported by the browser for anything the policy blocked (a script, a style, a fetch, a worker).
        await page.AddInitScriptAsync("""
            window.__violations = [];
            document.addEventListener('securitypolicyviolation', e => window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`));
            """);

        await page.GotoAsync(new Uri(_service.BaseAddress, "/scalar/v1").ToString());
        // Scalar's app drew the document: its title and an operation of the API.
        // Scalar's bundle is 5 MB of script: on a busy machine it takes a while to start.
        var slow = new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 };
        await Assertions.Expect(page.Locator("h1", new() { HasText = "Leora Jobs API" })).ToBeVisibleAsync(slow);
        await Assertions.Expect(page.GetByText("/api/jobs/{id}").First).ToBeAttachedAsync(new() { Timeout = 60_000 });
        // An operation opens with its request sample, drawn by Scalar's code-sample generator.
        await page.GetByText("Enqueue a job").First.ClickAsync();
        await Assertions.Expect(page.GetByText("curl").First).ToBeVisibleAsync(slow);

        // One refusal is expected and harmless: Scalar's bundle (Zod 4) tries `Function('')` once to learn whether it may
        // compile validators, and without 'unsafe-eval' it falls back to interpreting them. Anything else is a breakage.
        var violations = (await page.EvaluateAsync<string[]>("() => window.__violations"))
            .Where(v => !(v.StartsWith("script-src eval ", StringComparison.Ordinal) && v.Contains("/scalar/scalar.js:", StringComparison.Ordinal)))
            .ToList();
        Assert.True(violations.Count == 0, "blocked by the policy: " + string.Join("; ", violations));
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
            && !e.Contains("'unsafe-eval'", StringComparison.Ordinal));
    }
}
