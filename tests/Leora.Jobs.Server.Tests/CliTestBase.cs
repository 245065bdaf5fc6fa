using System.Text.Json;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// What the CLI tests share: a temporary SQLite database of their own, a webhook receiver on 127.0.0.1 that webhook jobs
/// may call, and the real leora-jobs executable run against both.
/// </summary>
public abstract class CliTestBase : IAsyncLifetime
{
    protected TempSqlite Db { get; } = new();
    protected WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        Db.Dispose();
    }

    protected Dictionary<string, string?> Env => new()
    {
        ["ConnectionStrings__Jobs"] = Db.ConnectionString,
        ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
    };

    protected Task<Result> RunAsync(params string[] args) => LeoraJobsAsync(Db.Directory, Env, args);

    protected static JsonElement Json(Result r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }
}
