using System.Diagnostics;
using System.Text;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// A few documented values of docs/configuration.md with a real <c>leora-jobs serve</c> process (every value is tested
/// in-process by ConfigurationDocsTests): those of <c>Jobs:Retention</c> (<c>off</c> once aborted serve with exit code
/// 134), the default SQLite connection string (a path relative to the current folder), and the page's example of a
/// refused value, with its exit code and message.
/// </summary>
public sealed class ConfigurationDocsServeTests
{
    public static TheoryData<string, string> Served()
    {
        var data = new TheoryData<string, string>();
        foreach (var setting in ConfigurationDocs.Settings().Where(s => s.Key is "Jobs:Retention" or "ConnectionStrings:Jobs"))
            foreach (var (key, value) in setting.Values) data.Add(key, value);
        return data;
    }

    [Fact]
    public void The_served_values_are_read_from_the_page()
    {
        var served = Served().Select(row => ((string)row[0], (string)row[1])).ToList();
        Assert.Contains(("Jobs:Retention", "off"), served);
        Assert.Contains(("ConnectionStrings:Jobs", "Data Source=data/jobs.db"), served);
    }

    [Theory]
    [MemberData(nameof(Served))]
    public async Task Serve_starts_with_the_documented_value_and_stops_cleanly_on_SIGTERM(string key, string value)
    {
        using var folder = new TempSqlite();
        var args = new List<string> { LeoraJobsDll, "serve", "--urls", "http://127.0.0.1:0", $"--{key}={value}" };
        // Every run on its own file, unless the value under test is the file.
        if (key != "ConnectionStrings:Jobs") args.Add($"--ConnectionStrings:Jobs={folder.ConnectionString}");
        using var server = new Process { StartInfo = Start("dotnet", args, folder.Directory, null) };
        var output = new StringBuilder();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith("Press Ctrl+C to stop.", StringComparison.Ordinal)) started.TrySetResult();
        };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var exited = server.WaitForExitAsync();
            var first = await Task.WhenAny(started.Task, exited).WithTimeout(TimeSpan.FromMinutes(2), "serve to start or exit");
            Assert.True(first == started.Task, $"serve exited with {(server.HasExited ? server.ExitCode : -1)} instead of starting:\n{output}");
            if (key == "ConnectionStrings:Jobs")
                Assert.True(File.Exists(Path.Combine(folder.Directory, "data", "jobs.db")), "the relative path is relative to the current folder");
            var kill = await RunAsync("kill", ["-TERM", $"{server.Id}"], folder.Directory);
            Assert.True(kill.ExitCode == 0, kill.ToString());
            await exited.WithTimeout(TimeSpan.FromMinutes(1), "serve to stop on SIGTERM");
            Assert.True(server.ExitCode == 0, $"exit {server.ExitCode}\n{output}");
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_documented_refused_value_stops_serve_with_exit_code_5_and_the_documented_message()
    {
        var (key, value, message) = ConfigurationDocs.RefusedExample();
        using var folder = new TempSqlite();
        var r = await LeoraJobsAsync(folder.Directory, null, "serve", "--urls", "http://127.0.0.1:0", $"--{key}={value}", $"--ConnectionStrings:Jobs={folder.ConnectionString}");
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }
}
