using System.Text.RegularExpressions;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// docs/configuration.md read as the tests' list of settings and values, so that the page and the tests cannot drift:
/// every row of its "Every setting" table with the values written in backticks in its default and meaning cells, the
/// ranges its meaning states, the duration forms of the page's introduction and its example of a refused value.
/// </summary>
public static partial class ConfigurationDocs
{
    /// <summary>One row of the table.</summary>
    /// <param name="Keys">The setting's names as written (<c>urls</c>, <c>ASPNETCORE_URLS</c>, <c>--urls</c>); the first is the configuration key.</param>
    /// <param name="Values">Whole settings to start the service with: <c>(key, value)</c>, the key being the row's or, for a wildcard row, the example's.</param>
    /// <param name="Valid">Values at the edges of a documented range, which must start the service.</param>
    /// <param name="Invalid">Values just outside a documented range, which must stop it with a message naming the setting.</param>
    public sealed record Setting(IReadOnlyList<string> Keys, IReadOnlyList<(string Key, string Value)> Values,
        IReadOnlyList<string> Valid, IReadOnlyList<string> Invalid)
    {
        public string Key => Keys[0];
        public override string ToString() => Key;
    }

    /// <summary>
    /// Backticked words in the table that are names, not values of the row's setting. Besides these, a word is not a value
    /// when it is a command (<c>--no-worker</c>, <c>leora-jobs migrate</c>, a verb), an HTTP route, or another setting's
    /// name (<c>Jobs:ApiKeys:0</c>, <c>ASPNETCORE_HTTP_PORTS</c>). Every other backticked word must start the service.
    /// </summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "LISTEN/NOTIFY", // the PostgreSQL feature Jobs:PostgreSql:Listen turns on
        "webhook",       // the job type whose default differs
        "worker",        // a field of a job
    };

    private static readonly HashSet<string> Verbs = new(StringComparer.Ordinal) { "serve", "work", "process", "cleanup", "migrate", "enqueue" };

    /// <summary>The page's path in the repository.</summary>
    public static string PagePath { get; } = Path.Combine(RepositoryRoot(), "docs", "configuration.md");

    /// <summary>Every row of the "Every setting" table.</summary>
    public static IReadOnlyList<Setting> Settings()
    {
        var lines = File.ReadAllLines(PagePath);
        var start = Array.FindIndex(lines, l => l.StartsWith("## Every setting", StringComparison.Ordinal));
        if (start < 0) throw new InvalidOperationException($"{PagePath} has no '## Every setting' section.");
        var settings = new List<Setting>();
        foreach (var line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length != 3) throw new InvalidOperationException($"A row of the settings table has {cells.Length} cells, not 3: {line}");
            if (cells[0] == "setting" || cells[0].StartsWith("---", StringComparison.Ordinal)) continue;
            var keys = Ticked(cells[0]);
            if (keys.Count == 0) throw new InvalidOperationException($"A row names no setting in backticks: {line}");
            var values = new List<(string, string)>();
            foreach (var token in Ticked(cells[1]).Concat(Ticked(cells[2])))
            {
                var eq = token.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && Matches(keys[0], token[..eq])) values.Add((token[..eq], token[(eq + 1)..]));
                else if (!IsName(token)) values.Add((keys[0], token));
            }
            var (valid, invalid) = Ranges(cells[2]);
            settings.Add(new Setting(keys, [.. values.Distinct()], valid, invalid));
        }
        return settings;
    }

    /// <summary>The duration forms of the page's introduction ("Durations are written `30s`, …").</summary>
    public static IReadOnlyList<string> DurationForms()
    {
        var line = File.ReadAllLines(PagePath).Single(l => l.StartsWith("Durations are written", StringComparison.Ordinal));
        return Ticked(line);
    }

    /// <summary>The page's example of a refused value: its setting, its value and the whole message (<c>error: …</c>).</summary>
    public static (string Key, string Value, string Message) RefusedExample()
    {
        var message = Ticked(File.ReadAllText(PagePath)).Single(t => t.StartsWith("error: ", StringComparison.Ordinal));
        var m = RefusedPattern().Match(message);
        if (!m.Success) throw new InvalidOperationException($"The refused example does not name a setting and a value: {message}");
        return (m.Groups[1].Value, m.Groups[2].Value, message);
    }

    private static bool IsName(string token) =>
        Names.Contains(token)
        || Verbs.Contains(token)
        || token.StartsWith("--", StringComparison.Ordinal)
        || token.StartsWith("leora-jobs ", StringComparison.Ordinal)
        || token.StartsWith('/')
        || HttpRoute().IsMatch(token)
        || ConfigurationKey().IsMatch(token)
        || EnvironmentVariable().IsMatch(token);

    // A wildcard row (Jobs:Worker:Queues:<name>, Logging:LogLevel:*) takes any last segment; a <name> segment inside a
    // row's key (Jobs:Schedules:<name>:Cron) takes any one segment there.
    private static bool Matches(string pattern, string key)
    {
        var inner = pattern.IndexOf(":<", StringComparison.Ordinal);
        if (inner >= 0 && pattern.IndexOf(">:", inner, StringComparison.Ordinal) > inner)
        {
            var p = pattern.Split(':');
            var k = key.Split(':');
            return p.Length == k.Length && p.Zip(k).All(s => (s.First.StartsWith('<') && s.First.EndsWith('>') && s.Second.Length > 0)
                || string.Equals(s.First, s.Second, StringComparison.OrdinalIgnoreCase));
        }
        var wildcard = pattern.EndsWith(":*", StringComparison.Ordinal) || pattern.EndsWith('>');
        if (!wildcard) return string.Equals(pattern, key, StringComparison.OrdinalIgnoreCase);
        var prefix = pattern[..(pattern.LastIndexOf(':') + 1)];
        return key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && key.Length > prefix.Length;
    }

    private static (List<string> Valid, List<string> Invalid) Ranges(string meaning)
    {
        var valid = new List<string>();
        var invalid = new List<string>();
        foreach (Match m in Between().Matches(meaning))
        {
            long min = long.Parse(m.Groups[1].Value), max = long.Parse(m.Groups[2].Value);
            valid.AddRange([$"{min}", $"{max}"]);
            invalid.AddRange([$"{min - 1}", $"{max + 1}"]);
        }
        foreach (Match m in AtLeast().Matches(meaning))
        {
            var min = long.Parse(m.Groups[1].Value);
            valid.Add($"{min}");
            invalid.Add($"{min - 1}");
        }
        foreach (Match m in AtMostSeconds().Matches(meaning))
        {
            var max = long.Parse(m.Groups[1].Value);
            valid.Add($"{max}s");
            invalid.Add($"{max + 1}s");
        }
        return (valid, invalid);
    }

    private static List<string> Ticked(string text) => [.. Backticked().Matches(text).Select(m => m.Groups[1].Value)];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Leora.Jobs.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^(GET|POST|PUT|DELETE|PATCH) /")]
    private static partial Regex HttpRoute();

    // Colon-separated names starting with a letter (Jobs:ApiKeys:0, Kestrel:Endpoints), not 00:05:00 nor a URL.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.]*(:[A-Za-z0-9_.<>*]+)+$")]
    private static partial Regex ConfigurationKey();

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")]
    private static partial Regex EnvironmentVariable();

    [GeneratedRegex(@"\((\d+)–(\d+)\)")]
    private static partial Regex Between();

    [GeneratedRegex(@"[Aa]t least (\d+)")]
    private static partial Regex AtLeast();

    [GeneratedRegex(@"at most (\d+) s\b")]
    private static partial Regex AtMostSeconds();

    [GeneratedRegex(@"^error: (\S+) '([^']*)'")]
    private static partial Regex RefusedPattern();
}
