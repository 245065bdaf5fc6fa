using System.Collections.Concurrent;
using Leora.Jobs.Server;
using Leora.Jobs.TestSupport;
using Npgsql;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// Every value docs/configuration.md writes for a setting starts the service (the same composition as <c>leora-jobs
/// serve</c>, in-process on Kestrel), and every value just outside a range it states stops it with a message naming the
/// setting. The values are read from the page itself (<see cref="ConfigurationDocs"/>): a value added to the page is
/// tested, and one the service refuses fails here. A real <c>serve</c> process checks a few (ConfigurationDocsServeTests).
/// </summary>
public sealed class ConfigurationDocsTests
{
    // Hosts started at once: enough to keep the run short, few enough for a busy two-core machine.
    private const int Parallel = 4;

    [Fact]
    public async Task Every_documented_value_of_every_setting_starts_the_service()
    {
        var settings = ConfigurationDocs.Settings();
        Assert.True(settings.Count >= 30, $"only {settings.Count} settings read from {ConfigurationDocs.PagePath}");
        // Every setting shows at least one value to try, but the secret one (the page gives no key to copy).
        Assert.Equal(["JOB_PROCESSOR_API_KEY"], settings.Where(s => s.Values.Count == 0).Select(s => s.Key));
        var runs = settings.SelectMany(s => s.Values.Concat(s.Valid.Select(v => (s.Key, v))))
            // The duration forms of the page's introduction, through both parsers: the options binder and Jobs:Retention's.
            .Concat(ConfigurationDocs.DurationForms().SelectMany(f => new[] { ("Jobs:Worker:ShutdownGrace", f), ("Jobs:Retention", f) }))
            // A relative SQLite path is relative to the current folder, which a test host shares: a serve process runs it.
            .Where(r => r.Item1 != "ConnectionStrings:Jobs")
            .Distinct().ToList();
        // The value behind issue 11 item 12 (it aborted serve), and the forms every duration may take.
        Assert.Contains(("Jobs:Retention", "off"), runs);
        Assert.Contains(("Jobs:Worker:ShutdownGrace", "00:05:00"), runs);
        Assert.True(runs.Count >= 50, $"only {runs.Count} values read: {string.Join(", ", runs)}");

        // Values whose settings do not clash (no setting given two different values) start one service together, so
        // that some 170 values take a few dozen starts (see Group); a group that does not start is tried value by value, and each
        // value that fails alone is reported. Every value is still shown to start the service on its own terms.
        var settingsOf = runs.Select(r => Setup(r.Item1, r.Item2)).ToList();
        var groups = Group(settingsOf);
        Assert.True(groups.Count < runs.Count / 2, $"{runs.Count} values in {groups.Count} starts");
        Assert.Equal(runs.Count, groups.Sum(g => g.Count));
        var failures = new ConcurrentQueue<string>();
        using var slots = new SemaphoreSlim(Parallel);
        await Task.WhenAll(groups.Select(async group =>
        {
            await slots.WaitAsync();
            try
            {
                if (await StartAsync(group) is null) return;
                foreach (var one in group)
                    if (await StartAsync([one]) is { } error) failures.Enqueue($"{one.Key}={one.Value}: {error}");
            }
            finally
            {
                slots.Release();
            }
        }));
        Assert.True(failures.IsEmpty, $"{failures.Count} of {runs.Count} documented values did not start the service:\n" + string.Join("\n\n", failures));
    }

    [Fact]
    public async Task A_value_just_outside_a_documented_range_stops_the_service_with_a_message_naming_the_setting()
    {
        var runs = ConfigurationDocs.Settings().SelectMany(s => s.Invalid.Select(v => (Key: s.Key, Value: v))).ToList();
        // 1–1000 (concurrency), 0–20 (redirects), at least 1024 (body size), at most 300 s (webhook timeout).
        Assert.True(runs.Count >= 6, $"only {runs.Count} out-of-range values read: {string.Join(", ", runs)}");
        var failures = new ConcurrentQueue<string>();
        using var slots = new SemaphoreSlim(Parallel);
        await Task.WhenAll(runs.Select(async run =>
        {
            await slots.WaitAsync();
            try
            {
                var error = await StartAsync([Setup(run.Key, run.Value)]);
                if (error is null) failures.Enqueue($"{run.Key}={run.Value} started the service");
                else if (!error.Contains(run.Key, StringComparison.Ordinal)) failures.Enqueue($"{run.Key}={run.Value} was refused without naming the setting: {error}");
            }
            finally
            {
                slots.Release();
            }
        }));
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
    }

    [Fact]
    public void The_documented_default_address_is_the_services()
    {
        var urls = ConfigurationDocs.Settings().Single(s => s.Keys.Contains("ASPNETCORE_URLS"));
        Assert.Equal([("urls", ServerSettings.DefaultUrl)], urls.Values);
    }

    /// <summary>
    /// One documented value and the settings it is tried with: the others a schedule, HTTP job type or notification
    /// channel needs, on the store it names.
    /// </summary>
    private sealed record Run(string Key, string Value, bool Postgres, bool OwnDatabase, List<string> Args);

    /// <summary>The settings that try <paramref name="key"/> = <paramref name="value"/> (command-line arguments).</summary>
    private static Run Setup(string key, string value)
    {
        var postgres = key.StartsWith("Jobs:PostgreSql:", StringComparison.OrdinalIgnoreCase)
            || (key == "Jobs:Provider" && !value.Equals("sqlite", StringComparison.OrdinalIgnoreCase));
        var documented = value;
        var args = new List<string>();
        // The documented address with a free port (5080 may be taken on a shared machine); its default is checked above.
        if (key == "urls") value = value.Replace(":5080", ":0", StringComparison.Ordinal);
        args.Add($"--{key}={value}");
        // A schedule's setting is tried on a whole schedule: the page's example gives the others a schedule needs.
        if (key.StartsWith("Jobs:Schedules:", StringComparison.OrdinalIgnoreCase))
        {
            var name = key.Split(':')[2];
            if (name == "<name>")
            {
                name = "docs-example";
                args[^1] = $"--{key.Replace("<name>", name, StringComparison.Ordinal)}={value}";
            }
            string[][] needed = [["Cron", "0 2 * * *"], ["Type", "webhook"], ["Payload", """{"url":"https://crm.example.com/api/reports","method":"POST"}"""]];
            foreach (var field in needed)
                if (!key.EndsWith(":" + field[0], StringComparison.OrdinalIgnoreCase)) args.Add($"--Jobs:Schedules:{name}:{field[0]}={field[1]}");
        }
        // An HTTP job type's setting is tried on a whole type: the page's examples give the URL and secret a type needs.
        if (key.StartsWith("Jobs:HttpJobTypes:", StringComparison.OrdinalIgnoreCase))
        {
            var name = key.Split(':')[2];
            if (name == "<type>")
            {
                name = "docs.example";
                args[^1] = $"--{key.Replace("<type>", name, StringComparison.Ordinal)}={value}";
            }
            string[][] needed = [["Url", "https://crm.example.com/api/jobs/report-build"], ["Secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]];
            foreach (var field in needed)
                if (!key.EndsWith(":" + field[0], StringComparison.OrdinalIgnoreCase)) args.Add($"--Jobs:HttpJobTypes:{name}:{field[0]}={field[1]}");
        }
        // A notification channel's or rule's setting is tried on a whole channel or rule (the page's examples give the
        // others it needs); a rule or the failed-jobs list names the channel "ops", which is given too.
        if (key.StartsWith("Jobs:Notifications:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = key.Split(':');
            string[][] needed = [];
            if (parts.Length == 5)
            {
                if (parts[3] == "<name>")
                {
                    parts[3] = "docs-example";
                    args[^1] = $"--{string.Join(':', parts)}={value}";
                }
                needed = parts[2] switch
                {
                    "Email" => [["Host", "smtp.example.com"], ["From", "leora@example.com"], ["To", "ops@example.com"], ["User", "leora@example.com"]],
                    "Webhook" => [["Url", "https://hooks.example.com/leora"], ["Secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]],
                    "Rules" => [["Kind", "OldestDue"], ["Channels", "ops"]],
                    _ => [],
                };
            }
            foreach (var field in needed)
                if (!key.EndsWith(":" + field[0], StringComparison.OrdinalIgnoreCase)) args.Add($"--Jobs:Notifications:{parts[2]}:{parts[3]}:{field[0]}={field[1]}");
            if (!key.StartsWith("Jobs:Notifications:Slack:ops:", StringComparison.OrdinalIgnoreCase))
                args.Add("--Jobs:Notifications:Slack:ops:WebhookUrl=https://hooks.slack.com/services/T000/B000/XXXX");
        }
        // A named schema (the default, leora) is tried in a database of its own, so that no other test shares it.
        return new Run(key, documented, postgres, key == "Jobs:PostgreSql:Schema", args);
    }

    /// <summary>
    /// Runs that may share one start: the same store, no setting given two different values (the settings a schedule
    /// or channel needs are shared when they agree), and no two documented values of one options object (Jobs:Worker,
    /// a schedule, a channel), so that a check across one object's fields sees each value beside the defaults alone. A
    /// run with a database of its own starts alone.
    /// </summary>
    private static List<List<Run>> Group(IEnumerable<Run> runs)
    {
        static Dictionary<string, string> Pairs(IEnumerable<string> args) => args
            .Select(a => a[2..].Split('=', 2)).GroupBy(kv => kv[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);
        var groups = new List<(List<Run> Runs, Dictionary<string, string> Settings)>();
        foreach (var run in runs)
        {
            var pairs = Pairs(run.Args);
            var home = run.OwnDatabase ? default : groups.FirstOrDefault(g =>
                !g.Runs[0].OwnDatabase && g.Runs[0].Postgres == run.Postgres
                && g.Runs.All(r => !string.Equals(Parent(r.Key), Parent(run.Key), StringComparison.OrdinalIgnoreCase))
                && pairs.All(p => !g.Settings.TryGetValue(p.Key, out var v) || v == p.Value));
            if (home.Runs is null) groups.Add((new List<Run> { run }, pairs));
            else
            {
                home.Runs.Add(run);
                foreach (var p in pairs) home.Settings[p.Key] = p.Value;
            }
        }
        return groups.Select(g => g.Runs).ToList();

        static string Parent(string key) => key.LastIndexOf(':') is var i and > 0 ? key[..i] : "";
    }

    /// <summary>Starts the service with the settings of <paramref name="runs"/>; null when it started and answered, else why not.</summary>
    private static async Task<string?> StartAsync(IReadOnlyList<Run> runs)
    {
        await using var database = TestDatabase.Create(runs[0].Postgres ? "postgresql" : "sqlite", "cfg");
        var args = new List<string> { "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(database.ServerArguments());
        string? ownDatabase = null;
        if (runs[0].OwnDatabase)
        {
            ownDatabase = "cfg_" + Guid.NewGuid().ToString("N")[..12];
            await TestPostgres.ExecuteAsync($"CREATE DATABASE {ownDatabase}");
            args.Add($"--ConnectionStrings:Jobs={new NpgsqlConnectionStringBuilder(TestPostgres.Require()) { Database = ownDatabase }}");
        }
        foreach (var run in runs)
            foreach (var arg in run.Args)
                if (!args.Contains(arg)) args.Add(arg);
        try
        {
            var (app, _) = ServerHost.BuildWebApp([.. args]);
            await using (app)
            {
                await app.StartAsync();
                using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
                var live = await http.GetAsync("/health/live");
                await app.StopAsync();
                return live.IsSuccessStatusCode ? null : $"/health/live answered {(int)live.StatusCode}";
            }
        }
        catch (Exception ex)
        {
            var messages = new List<string>();
            for (var e = ex; e is not null; e = e.InnerException) messages.Add($"{e.GetType().Name}: {e.Message}");
            return string.Join(" <- ", messages);
        }
        finally
        {
            if (ownDatabase is not null) await TestPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS {ownDatabase} WITH (FORCE)");
        }
    }
}
