using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The build says which version it is, and the database which schema it holds: <c>leora-jobs --version</c> and
/// <c>/health/live</c> report the informational version (the packages' version); the API's stats and the CLI's
/// <c>stats</c> report the schema version and the latest this build knows.
/// </summary>
public sealed partial class VersionTests
{
    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();

    /// <summary>The executable's own informational version, read from the built assembly (0.9.0+commit…).</summary>
    private static string BuiltVersion => FileVersionInfo.GetVersionInfo(LeoraJobsDll).ProductVersion
        ?? throw new InvalidOperationException("leora-jobs.dll has no informational version");

    [Fact]
    public async Task The_version_is_reported_by_the_cli_and_health_live_and_the_schema_version_by_stats()
    {
        using var db = new TempSqlite();
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Jobs"] = db.ConnectionString };
        var expected = BuiltVersion;
        Assert.Matches(@"^\d+\.\d+\.\d+", expected);

        var version = await LeoraJobsAsync(db.Directory, env, "--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Equal(expected, version.Out.Trim());

        // stats finds the database as it is (it creates nothing): migrate makes it.
        var migrate = await LeoraJobsAsync(db.Directory, env, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        var stats = await LeoraJobsAsync(db.Directory, env, "stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        var json = JsonDocument.Parse(stats.Out).RootElement;
        var latest = json.GetProperty("latestSchemaVersion").GetInt32();
        Assert.True(latest >= 1);
        Assert.Equal(latest, json.GetProperty("schemaVersion").GetInt32());
        var table = await LeoraJobsAsync(db.Directory, env, "stats");
        Assert.Contains("schema version", table.Out, StringComparison.Ordinal);
        Assert.Contains($"{latest} (this build knows up to {latest})", table.Out, StringComparison.Ordinal);

        const string key = "version-test-key-7c1e";
        var info = Start("dotnet", [LeoraJobsDll, "serve", "--urls", "http://127.0.0.1:0"], db.Directory,
            new Dictionary<string, string?>(env) { ["JOB_PROCESSOR_API_KEY"] = key });
        using var server = new Process { StartInfo = info };
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) => { if (e.Data is not null && Listening().Match(e.Data) is { Success: true } m) address.TrySetResult(m.Groups[1].Value); };
        server.ErrorDataReceived += (_, _) => { };
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var baseUrl = await address.Task.WithTimeout(TimeSpan.FromMinutes(2), "the service to say where it listens");
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            var live = JsonDocument.Parse(await http.GetStringAsync("/health/live")).RootElement;
            Assert.Equal("ok", live.GetProperty("status").GetString());
            Assert.Equal(expected, live.GetProperty("version").GetString());

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var apiStats = JsonDocument.Parse(await http.GetStringAsync("/api/jobs/stats")).RootElement;
            Assert.Equal(latest, apiStats.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(latest, apiStats.GetProperty("latestSchemaVersion").GetInt32());
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
