using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// Issue 20, a new user's first hour, run with the real executable: every verb refuses a misspelled option and accepts
/// configuration overrides; reading commands create and migrate nothing; a batch leaves job types it does not know pending.
/// </summary>
public sealed partial class CliNewUserTests : CliTestBase
{
    /// <summary>Each verb with the arguments it needs to get as far as its options.</summary>
    private static readonly string[][] VerbsWithArguments =
    [
        [], ["serve"], ["work"], ["process"], ["enqueue", "webhook", "--payload", "{}"], ["status", "1"], ["list"],
        ["cancel", "1"], ["retry", "1"], ["delete", "1"], ["cleanup"], ["stats"], ["migrate"], ["schedules", "list"],
        ["pause", "queue", "mail"], ["resume", "queue", "mail"], ["pauses"], ["batches", "list"], ["backup", "copy.db"],
    ];

    [Fact]
    public async Task Every_verb_refuses_an_unknown_option_with_exit_2_naming_it()
    {
        var runs = await Task.WhenAll(VerbsWithArguments.Select(async verb => (Verb: verb, Run: await RunAsync([.. verb, "--limt", "1"]))));
        foreach (var (verb, run) in runs)
        {
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', verb)} --limt 1: {run}");
            Assert.Contains("--limt", run.Err, StringComparison.Ordinal);
        }
        var stauts = await RunAsync("list", "--stauts", "failed");
        Assert.Equal(2, stauts.ExitCode);
        Assert.Contains("--stauts", stauts.Err, StringComparison.Ordinal);
        Assert.Equal("", stauts.Out);
        Assert.False(File.Exists(Db.Path_), "a refused command line touches no database");
    }

    [Fact]
    public async Task Every_verb_takes_configuration_overrides_in_both_shapes()
    {
        // An unsupported provider is a configuration error (exit 5) naming the value: it reached the configuration.
        var runs = await Task.WhenAll(VerbsWithArguments
            .Select(verb => verb.Length == 0 || verb[0] == "serve" ? [.. verb, "--urls", "http://127.0.0.1:0"] : verb)
            .SelectMany(verb => (string[][])[[.. verb, "--Jobs:Provider=oracle"], [.. verb, "--Jobs:Provider", "oracle"]])
            .Select(async args => (Args: args, Run: await RunAsync(args))));
        foreach (var (args, run) in runs)
        {
            Assert.True(run.ExitCode == 5, $"{string.Join(' ', args)}: {run}");
            Assert.Contains("'oracle'", run.Err, StringComparison.Ordinal);
        }

        // A nested key, before the verb and after it.
        Assert.Equal(0, (await RunAsync("migrate")).ExitCode);
        Assert.Equal(0, Json(await RunAsync("--Jobs:Worker:Concurrency=8", "list", "--json")).GetProperty("items").GetArrayLength());
        var bad = await RunAsync("list", "--Jobs:Worker:Concurrency=0");
        Assert.Equal(5, bad.ExitCode);
        Assert.Contains("Concurrency", bad.Err, StringComparison.Ordinal);
        var noValue = await RunAsync("list", "--Jobs:Provider");
        Assert.Equal(2, noValue.ExitCode);
        Assert.Contains("--Jobs:Provider", noValue.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_has_no_additional_arguments_and_balanced_usage_lines()
    {
        var runs = await Task.WhenAll(VerbsWithArguments.Select(v => v.Take(1).ToArray()).Select(async verb => (Verb: verb, Run: await RunAsync([.. verb, "--help"]))));
        foreach (var (verb, run) in runs)
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.DoesNotContain("Additional Arguments", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("Arguments passed to the application", run.Out, StringComparison.Ordinal);
            var usage = run.Out.Split('\n').SkipWhile(l => !l.StartsWith("Usage:", StringComparison.Ordinal)).Skip(1)
                .TakeWhile(l => l.Trim().Length > 0).ToList();
            Assert.True(usage.Count > 0, $"{string.Join(' ', verb)} --help has a usage line: {run.Out}");
            foreach (var line in usage)
            {
                Assert.True(line.Count(c => c == '[') == line.Count(c => c == ']'), $"balanced []: '{line}'");
                Assert.True(line.Count(c => c == '<') == line.Count(c => c == '>'), $"balanced <>: '{line}'");
            }
        }
    }

    /// <summary>docs/cli.md's table of commands names exactly the options each verb's --help lists (issue 20: the doc must match the executable).</summary>
    [Fact]
    public async Task The_commands_table_of_docs_cli_md_names_each_verbs_options()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(RepoRoot, "docs", "cli.md"));
        var rows = Regex.Matches(doc, @"^\| `(?<verb>[a-z]+)(?<rest>[^`]*)`", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["verb"].Value, m => m.Groups["rest"].Value, StringComparer.Ordinal);
        var verbs = VerbsWithArguments.Where(v => v.Length > 0).Select(v => v[0]).ToArray();
        Assert.Equal(verbs.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        var helps = await Task.WhenAll(verbs.Select(async verb => (Verb: verb, Run: await RunAsync(verb, "--help"))));
        foreach (var (verb, run) in helps)
        {
            var options = run.Out[run.Out.IndexOf("Options:", StringComparison.Ordinal)..];
            // The first column of each option's line: "  -c, --connection-string <cs>  Description".
            var inHelp = Regex.Matches(options, @"^  (?<names>-[^ ,]+(?:, -[^ ,]+)*)", RegexOptions.Multiline)
                .SelectMany(m => m.Groups["names"].Value.Split(", ")).Where(n => n.StartsWith("--", StringComparison.Ordinal))
                .Except(["--help", "--provider", "--connection-string"]).ToHashSet(StringComparer.Ordinal);
            var inDoc = Regex.Matches(rows[verb], @"--[a-z][a-z-]*").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            Assert.True(inHelp.SetEquals(inDoc), $"{verb}: --help lists [{string.Join(", ", inHelp.Order())}], docs/cli.md [{string.Join(", ", inDoc.Order())}]");
        }
    }

    [Fact]
    public async Task Build_sh_lists_only_the_commands_it_has()
    {
        var script = await File.ReadAllTextAsync(Path.Combine(RepoRoot, "build.sh"));
        var implemented = Regex.Matches(script, @"^  ([a-z-]+)\)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var header = string.Join('\n', script.Split('\n').TakeWhile(l => l.StartsWith('#')));
        var documented = Regex.Matches(header, @"\./build\.sh ([a-z-]+)((?: / [a-z-]+)*)").SelectMany(m =>
            (string[])[m.Groups[1].Value, .. m.Groups[2].Value.Split(" / ", StringSplitOptions.RemoveEmptyEntries)]).ToHashSet(StringComparer.Ordinal);
        Assert.True(documented.SetEquals(implemented), $"documented [{string.Join(", ", documented.Order())}], implemented [{string.Join(", ", implemented.Order())}]");

        var usage = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoRoot, "build.sh"), "no-such-command"], RepoRoot);
        Assert.Equal(2, usage.ExitCode);
        var listed = Regex.Match(usage.Err, @"\[([a-z|-]+)\]").Groups[1].Value.Split('|').ToHashSet(StringComparer.Ordinal);
        Assert.True(listed.SetEquals(implemented), usage.Err);
    }
}
