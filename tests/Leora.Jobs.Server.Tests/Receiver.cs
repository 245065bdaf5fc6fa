using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Server.Tests;

/// <summary>A real HTTP server on 127.0.0.1 (free port) for webhook jobs to call; it records what it gets.</summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Receiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Path, string Body)> Requests { get; } = new();
    public int Port { get; private set; }
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/ok", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            receiver.Requests.Enqueue(("/ok", await reader.ReadToEndAsync()));
            return Results.Ok();
        });
        app.MapPost("/gone", () => Results.StatusCode(StatusCodes.Status410Gone));
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
