using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Crm.Tests;

/// <summary>
/// A local stand-in for Anthropic's Messages API on 127.0.0.1 (Kestrel, a free port), spoken to by the real SDK.
/// It checks each request (model, image block, JSON schema), records it, and answers with the next queued answer.
/// </summary>
public sealed class FakeClaude : IAsyncDisposable
{
    public const string ApiKey = "sk-test-fake-key";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, JsonObject, Task>> _answers = new();

    private FakeClaude(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every request body received, in order.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>Problems found in requests (a wrong key, no model…); a test asserts it is empty.</summary>
    public ConcurrentQueue<string> RequestProblems { get; } = new();

    public static async Task<FakeClaude> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeClaude(app);
        app.MapPost("/v1/messages", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var body = (JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject)!;
        Requests.Enqueue(body);
        // This SDK version sends the key as a bearer token; older ones used x-api-key. Either must carry the configured key.
        if (http.Request.Headers["x-api-key"] != ApiKey && http.Request.Headers.Authorization != $"Bearer {ApiKey}")
            RequestProblems.Enqueue("the API key is missing or wrong");
        if (string.IsNullOrEmpty(http.Request.Headers["anthropic-version"])) RequestProblems.Enqueue("anthropic-version header missing");
        if (body["model"]?.GetValue<string>() is not { Length: > 0 }) RequestProblems.Enqueue("model missing");
        if (body["output_config"]?["format"]?["schema"] is not JsonObject) RequestProblems.Enqueue("output_config.format.schema missing");
        if (!_answers.TryDequeue(out var answer))
        {
            RequestProblems.Enqueue("no answer queued");
            http.Response.StatusCode = 500;
            return;
        }
        await answer(http, body);
    }

    /// <summary>The image block of a request (source.type base64, media_type, data), or null.</summary>
    public static JsonObject? ImageBlock(JsonObject request) =>
        request["messages"]?[0]?["content"]?.AsArray().OfType<JsonObject>().FirstOrDefault(b => b["type"]?.GetValue<string>() == "image");

    public void AnswerJson(object structured) => _answers.Enqueue((http, req) => Message(http, req, JsonSerializer.Serialize(structured), "end_turn"));

    public void AnswerText(string text) => _answers.Enqueue((http, req) => Message(http, req, text, "end_turn"));

    public void AnswerRefusal() => _answers.Enqueue((http, req) => Message(http, req, "", "refusal"));

    public void AnswerRateLimited(int retryAfterSeconds) => _answers.Enqueue(async (http, _) =>
    {
        http.Response.Headers["retry-after"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Error(http, 429, "rate_limit_error", "Number of requests has exceeded your rate limit.");
    });

    /// <summary>Answers nothing until the client gives up (or <paramref name="max"/> passes).</summary>
    public void AnswerNothing(TimeSpan max) => _answers.Enqueue(async (http, _) =>
    {
        try { await Task.Delay(max, http.RequestAborted); }
        catch (OperationCanceledException) { }
    });

    public void AnswerServerError() => _answers.Enqueue((http, _) => Error(http, 500, "api_error", "Internal server error."));

    private static async Task Message(HttpContext http, JsonObject request, string text, string stopReason)
    {
        http.Response.ContentType = "application/json";
        http.Response.Headers["request-id"] = "req_test";
        var content = stopReason == "refusal" ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text });
        var message = new JsonObject
        {
            ["id"] = "msg_test", ["type"] = "message", ["role"] = "assistant", ["model"] = request["model"]!.GetValue<string>(),
            ["content"] = content, ["stop_reason"] = stopReason, ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = 100, ["output_tokens"] = 50 },
        };
        await http.Response.WriteAsync(message.ToJsonString());
    }

    private static async Task Error(HttpContext http, int status, string type, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(new JsonObject
        {
            ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
