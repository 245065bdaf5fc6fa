using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 (free port) standing in for Slack or a webhook receiver: it records every POST it accepts
/// (path, headers, body) and answers 200, or 503 while <see cref="Down"/> is set (an outage). <see cref="Check"/>, when set,
/// judges each request (a webhook's signature): a refused one answers 400 and is recorded in <see cref="Refused"/>.
/// </summary>
internal sealed class ChannelReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChannelReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Path, IHeaderDictionary Headers, string Body)> Accepted { get; } = new();

    public ConcurrentQueue<string> Refused { get; } = new();

    public int Refusals => Refused.Count;

    public volatile bool Down;

    public int DownAnswers;

    public Func<string, IHeaderDictionary, bool>? Check { get; set; }

    public int Port { get; private set; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<ChannelReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new ChannelReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (receiver.Down)
            {
                Interlocked.Increment(ref receiver.DownAnswers);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            if (receiver.Check is { } check && !check(body, headers))
            {
                receiver.Refused.Enqueue(body);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            receiver.Accepted.Enqueue((context.Request.Path.Value ?? "", headers, body));
            await context.Response.WriteAsync("ok");
        });
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
