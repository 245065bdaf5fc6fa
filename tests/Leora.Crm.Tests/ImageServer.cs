using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Crm.Tests;

/// <summary>
/// Object storage as the app's images live in it, on 127.0.0.1 (Kestrel, a free port): <c>/card.png</c> a PNG,
/// <c>/missing.png</c> 404, <c>/flaky.png</c> 503 until <see cref="FlakyHealed"/> is set, <c>/huge.png</c> a PNG larger than
/// the test's image limit, <c>/page.png</c> an HTML page named like an image, <c>/moved.png</c> a redirect to the card.
/// Every request path is recorded.
/// </summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ImageServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<string> Requests { get; } = new();

    public byte[] Card { get; } = SampleImages.Png(16, 8);

    public volatile bool FlakyHealed;

    public static async Task<ImageServer> StartAsync(int hugeBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ImageServer(app);
        app.Use(async (http, next) =>
        {
            server.Requests.Enqueue(http.Request.Path.Value ?? "");
            await next(http);
        });
        app.MapGet("/card.png", () => Results.Bytes(server.Card, "image/png"));
        app.MapGet("/missing.png", () => Results.NotFound());
        app.MapGet("/flaky.png", () => server.FlakyHealed ? Results.Bytes(server.Card, "image/png") : Results.StatusCode(503));
        app.MapGet("/huge.png", () =>
        {
            var huge = new byte[hugeBytes];
            server.Card.CopyTo(huge, 0);
            return Results.Bytes(huge, "image/png");
        });
        app.MapGet("/page.png", () => Results.Content("<html><body>Not an image</body></html>", "text/html"));
        app.MapGet("/moved.png", () => Results.Redirect("/card.png"));
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public string Url(string path) => BaseUrl + path;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
