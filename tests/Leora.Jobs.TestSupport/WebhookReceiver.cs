using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// A real HTTP server on 127.0.0.1 (free port) that webhook jobs call; it records every request it gets. The one
/// receiver of every test project (API, CLI, README): <c>/ok</c> answers 200, the others answer as their names say.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public int Port { get; private set; }

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new(StringComparer.Ordinal);

    /// <summary>The gate that requests to <c>/hold?tag=<paramref name="tag"/></c> wait on: they answer 200 once it is set.</summary>
    public TaskCompletionSource Hold(string tag) =>
        _holds.GetOrAdd(tag, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>A URL on this receiver through the name "localhost" (which the test service allows).</summary>
    public string Url(string pathAndQuery) => $"http://localhost:{Port}{pathAndQuery}";

    /// <summary>The same receiver by IP literal (which the test service does not allow).</summary>
    public string IpUrl(string pathAndQuery) => $"http://127.0.0.1:{Port}{pathAndQuery}";

    public IReadOnlyList<ReceivedRequest> For(string tag) => [.. Requests.Where(r => r.Query.Contains($"tag={tag}", StringComparison.Ordinal))];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            await next(context);
        });
        app.MapMethods("/ok", ["GET", "POST", "PUT", "DELETE", "PATCH"], () => Results.Ok(new { received = true }));
        app.MapPost("/unavailable", (HttpContext c) =>
        {
            c.Response.Headers.RetryAfter = "120";
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        });
        app.MapPost("/too-many", (HttpContext c) =>
        {
            c.Response.Headers.RetryAfter = DateTimeOffset.UtcNow.AddMinutes(10).ToString("R");
            return Results.StatusCode(StatusCodes.Status429TooManyRequests);
        });
        app.MapPost("/hold", async (string tag, CancellationToken ct) =>
        {
            await receiver.Hold(tag).Task.WaitAsync(ct);
            return Results.Ok(new { released = true });
        });
        app.MapPost("/boom", () => Results.StatusCode(StatusCodes.Status500InternalServerError));
        app.MapPost("/bad", () => Results.BadRequest("the receiver refused this body"));
        app.MapPost("/gone", () => Results.StatusCode(StatusCodes.Status410Gone));
        app.MapMethods("/redirect", ["GET", "POST"], (string to) => Results.Redirect(to, permanent: false, preserveMethod: true));
        await app.StartAsync();
        receiver.Port = new Uri(app.Urls.First()).Port;
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
