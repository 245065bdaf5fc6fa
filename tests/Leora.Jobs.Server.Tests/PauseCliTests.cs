namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The <c>pause</c>, <c>resume</c> and <c>pauses</c> verbs of the real leora-jobs executable (issue 12): a paused type's job
/// is left pending by <c>process</c> with no attempt used, <c>pauses</c> and <c>stats</c> show the pause, a resume lets
/// <c>process</c> run it; an unknown type or a bad queue name is exit 2 and writes nothing.
/// </summary>
public sealed class PauseCliTests : CliTestBase
{
    [Fact]
    public async Task A_paused_type_is_left_pending_by_process_until_resumed()
    {
        var id = Json(await RunAsync("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--json")).GetProperty("id").GetInt64();
        var paused = await RunAsync("pause", "type", "webhook");
        Assert.True(paused.ExitCode == 0, paused.ToString());
        Assert.Contains("Paused type webhook", paused.Out, StringComparison.Ordinal);

        var unknown = await RunAsync("pause", "type", "send_welcome_emial");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("Known types", unknown.Err, StringComparison.Ordinal);
        var badQueue = await RunAsync("pause", "queue", "not valid");
        Assert.True(badQueue.ExitCode == 2, badQueue.ToString());
        Assert.Contains("queue", badQueue.Err, StringComparison.Ordinal);

        var list = Json(await RunAsync("pauses", "--json"));
        Assert.Equal(["type:webhook"], list.GetProperty("pauses").EnumerateArray().Select(p => $"{p.GetProperty("scope").GetString()}:{p.GetProperty("name").GetString()}"));
        var table = await RunAsync("pauses");
        Assert.Contains("webhook", table.Out, StringComparison.Ordinal);
        var stats = await RunAsync("stats");
        Assert.Contains("PAUSED", stats.Out, StringComparison.Ordinal);
        Assert.Equal("webhook", Json(await RunAsync("stats", "--json")).GetProperty("paused")[0].GetProperty("name").GetString());

        Assert.True((await RunAsync("process", "--max-jobs", "5")).ExitCode == 0);
        var waiting = Json(await RunAsync("status", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"));
        Assert.Equal("pending", waiting.GetProperty("status").GetString());
        Assert.Equal(0, waiting.GetProperty("attempts").GetInt32());
        Assert.Empty(Receiver.Requests);

        var resumed = await RunAsync("resume", "type", "webhook");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Resumed type webhook", resumed.Out, StringComparison.Ordinal);
        Assert.Contains("was not paused", (await RunAsync("resume", "type", "webhook")).Out, StringComparison.Ordinal);
        Assert.True((await RunAsync("process", "--max-jobs", "5")).ExitCode == 0);
        var done = Json(await RunAsync("status", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"));
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        Assert.Contains("Nothing is paused", (await RunAsync("pauses")).Out, StringComparison.Ordinal);
    }
}
