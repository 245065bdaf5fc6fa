namespace Leora.Jobs.Bench;

/// <summary>Command line: a verb, then <c>--name value</c> pairs.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Args(string[] argv)
    {
        Verb = argv.Length > 0 && !argv[0].StartsWith("--", StringComparison.Ordinal) ? argv[0] : "run";
        for (var i = Verb == "run" && (argv.Length == 0 || argv[0] != "run") ? 0 : 1; i < argv.Length; i++)
        {
            if (!argv[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{argv[i]}'.");
            var name = argv[i][2..];
            _values[name] = i + 1 < argv.Length && !argv[i + 1].StartsWith("--", StringComparison.Ordinal) ? argv[++i] : "true";
        }
    }

    public string Verb { get; }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => _values.ContainsKey(name);
}
