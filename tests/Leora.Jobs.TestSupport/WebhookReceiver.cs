using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// A real HTTP server on 127.0.0.1 (free port) that webhook jobs call; it records every request it gets. The one
/// receiver of every test project (API, CLI, README, notifications): <c>/ok</c> answers 200, the others answer as their
/// names say. <c>/hook/…</c> stands in for Slack or a webhook receiver: it answers 200 and records the request in
/// <see cref="Accepted"/>, unless <see cref="Check"/> (a signature check) refuses it: then 400, in <see cref="Refused"/>.
/// While <see cref="Down"/> is set (an outage) every path answers 503.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public int Port { get; private set; }

    /// <summary>The requests to <c>/hook/…</c> that were answered 200.</summary>
    public ConcurrentQueue<ReceivedRequest> Accepted { get; } = new();

    /// <summary>The requests to <c>/hook/…</c> that <see cref="Check"/> refused (answered 400).</summary>
    public ConcurrentQueue<ReceivedRequest> Refused { get; } = new();

    public int Refusals => Refused.Count;

    private volatile bool _down;
    private int _downAnswers;

    /// <summary>While set, every request answers 503 (an outage of the receiver).</summary>
    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>How many requests were answered 503 because of <see cref="Down"/>.</summary>
    public int DownAnswers => Volatile.Read(ref _downAnswers);

    /// <summary>Judges each request to <c>/hook/…</c> by its body and headers (a webhook's signature); null: every one is accepted.</summary>
    public Func<string, IHeaderDictionary, bool>? Check { get; set; }

    /// <summary>
    /// Endpoints a test programs (HTTP job types' handlers): a request to <c>/endpoint/{name}</c> is recorded and answered by
    /// the function registered under that name (404 when there is none).
    /// </summary>
    public ConcurrentDictionary<string, Func<ReceivedRequest, HttpContext, Task>> Endpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>A URL of the endpoint <paramref name="name"/> (<see cref="Endpoints"/>) through the name "localhost".</summary>
    public string EndpointUrl(string name) => Url($"/endpoint/{name}");

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
            var request = new ReceivedRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
            receiver.Requests.Enqueue(request);
            if (receiver.Down)
            {
                Interlocked.Increment(ref receiver._downAnswers);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            if (context.Request.Path.StartsWithSegments("/endpoint", out var rest))
            {
                if (receiver.Endpoints.TryGetValue(rest.Value?.Trim('/') ?? "", out var endpoint)) await endpoint(request, context);
                else context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            if (context.Request.Path.StartsWithSegments("/hook"))
            {
                if (receiver.Check is { } check && !check(body, context.Request.Headers))
                {
                    receiver.Refused.Enqueue(request);
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }
                receiver.Accepted.Enqueue(request);
                await context.Response.WriteAsync("ok");
                return;
            }
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
