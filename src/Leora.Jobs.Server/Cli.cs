using System.CommandLine;
using System.Data.Common;
using System.Net.Sockets;
using System.Text.Json;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

/// <summary>
/// The command line of <c>leora-jobs</c> (System.CommandLine: the parser the .NET SDK itself uses, with help and
/// completion built in). Every verb is strict: a token it does not know (<c>--limt 1</c>) is a usage error (exit 2).
/// Configuration overrides (<c>--Jobs:Provider=postgresql</c>: a key with a colon) are taken out of the command line
/// before it is parsed and handed on to ASP.NET Core configuration, so they work on every verb, including verbs added
/// later (<see cref="SeparateSettings"/>). Tables by default, <c>--json</c> for scripts, exit codes in <see cref="ExitCodes"/>.
/// </summary>
internal static partial class Cli
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly Option<string?> ProviderOption = new("--provider")
    {
        Description = "The store: sqlite (default) or postgresql. Same as Jobs:Provider.",
        Recursive = true,
    };

    private static readonly Option<string?> ConnectionOption = new("--connection-string", "-c")
    {
        Description = "The database's connection string. Same as ConnectionStrings:Jobs. Default: Data Source=data/jobs.db.",
        Recursive = true,
    };

    // Where SeparateSettings puts the configuration overrides (Key=value each); hidden, it is not for people to type.
    private static readonly Option<string[]> SettingOption = new("--leora-setting")
    {
        Hidden = true,
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRoot();
        string[] parsed;
        try
        {
            parsed = SeparateSettings(args);
        }
        catch (CliUsageException usage)
        {
            Console.Error.WriteLine($"error: {usage.Message}");
            return ExitCodes.Usage;
        }
        var parse = root.Parse(parsed);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'leora-jobs --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            // Ctrl+C is handled by each verb (the hosts of serve and work have their own), so it is off here.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception ex) when (Describe(ex) is { } failure)
        {
            Console.Error.WriteLine($"error: {failure.Message}");
            return failure.Code;
        }
    }

    private static (string Message, int Code)? Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case CliUsageException usage: return (usage.Message, ExitCodes.Usage);
                case JobSchemaTooNewException newer: return (newer.Message, ExitCodes.Configuration);
                case ServerConfigurationException config: return (config.Message, ExitCodes.Configuration);
                case Microsoft.Extensions.Options.OptionsValidationException invalid: return (invalid.Message, ExitCodes.Configuration);
                case JobStoreUnavailableException unavailable: return ($"the database is unavailable for now: {unavailable.Message}", ExitCodes.Unavailable);
                case DbException db: return ($"the database cannot be used: {db.Message}", ExitCodes.Configuration);
                case SocketException socket: return ($"the database cannot be reached: {socket.Message}", ExitCodes.Configuration);
                case InvalidOperationException io when io.Message.StartsWith("Jobs:", StringComparison.Ordinal): return (io.Message, ExitCodes.Configuration);
                case IOException io when io.InnerException is null && ex is not OperationCanceledException
                    && io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase):
                    return ($"cannot listen: {io.Message} Choose another address with --urls.", ExitCodes.Configuration);
            }
        }
        if (ex is OperationCanceledException) return ("cancelled.", ExitCodes.Failure);
        return null;
    }

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "Leora Jobs: a durable, database-backed job queue. Without a command, runs the service (same as 'serve').\n" +
            "Configuration options such as --Jobs:Provider=postgresql or --Jobs:Worker:Concurrency=8 are accepted by every command.");
        root.Options.Add(ProviderOption);
        root.Options.Add(ConnectionOption);
        root.Options.Add(SettingOption);
        var serve = ServeCommand();
        root.Subcommands.Add(serve);
        root.Subcommands.Add(WorkCommand());
        root.Subcommands.Add(ProcessCommand());
        root.Subcommands.Add(EnqueueCommand());
        root.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(ListCommand());
        root.Subcommands.Add(CancelCommand());
        root.Subcommands.Add(RetryCommand());
        root.Subcommands.Add(DeleteCommand());
        root.Subcommands.Add(CleanupCommand());
        root.Subcommands.Add(StatsCommand());
        root.Subcommands.Add(SchedulesCommand());
        root.Subcommands.Add(PauseCommand());
        root.Subcommands.Add(ResumeCommand());
        root.Subcommands.Add(PausesCommand());
        root.Subcommands.Add(BatchesCommand());
        root.Subcommands.Add(MigrateCommand());
        root.Subcommands.Add(BackupCommand());
        // Without a command it is serve, so it takes serve's options too.
        var (urls, noWorker) = ServeOptions();
        root.Options.Add(urls);
        root.Options.Add(noWorker);
        root.SetAction((parse, ct) => ServeAsync(parse, parse.GetValue(urls), parse.GetValue(noWorker), ct));
        // Strict everywhere, whoever adds a verb and however: an unknown or misspelled token is an error, never ignored.
        MakeStrict(root);
        return root;
    }

    private static void MakeStrict(Command command)
    {
        command.TreatUnmatchedTokensAsErrors = true;
        foreach (var sub in command.Subcommands) MakeStrict(sub);
    }

    private static Command NewCommand(string name, string description) => new(name, description);

    private static Option<bool> JsonOption() => new("--json") { Description = "Write JSON (the HTTP API's shapes) instead of a table." };

    /// <summary>
    /// Takes the configuration overrides out of the command line: <c>--Section:Key=value</c> and <c>--Section:Key value</c>
    /// (a key with a colon, as ASP.NET Core's command-line configuration reads it) become the hidden
    /// <see cref="SettingOption"/>, placed at the end; every other token is left, in order, for the strict parser.
    /// A key without a colon is not configuration: <c>--limt</c> stays, and the parser refuses it.
    /// </summary>
    internal static string[] SeparateSettings(IReadOnlyList<string> args)
    {
        var rest = new List<string>(args.Count);
        var settings = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                // Everything after -- is an argument, never an option.
                rest.AddRange(args.Skip(i));
                break;
            }
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            var key = token.StartsWith("--", StringComparison.Ordinal) ? (eq < 0 ? token[2..] : token[2..eq]) : "";
            if (!IsSettingKey(key))
            {
                rest.Add(token);
                continue;
            }
            if (eq >= 0) settings.Add($"{key}={token[(eq + 1)..]}");
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) settings.Add($"{key}={args[++i]}");
            else throw new CliUsageException($"the configuration option '{token}' has no value (write {token}=value).");
        }
        foreach (var setting in settings) rest.AddRange([SettingOption.Name, setting]);
        return [.. rest];
    }

    // Section:Key, Section:Sub:Key, Section:List:0: letters, digits, _ . - between colons, at least one colon.
    private static bool IsSettingKey(string key) =>
        key.Contains(':', StringComparison.Ordinal) && key.Split(':').All(part =>
            part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'));

    /// <summary>The configuration arguments: --provider and --connection-string, then <paramref name="extra"/>, then every --Section:Key=value override.</summary>
    private static string[] ConfigArgs(ParseResult parse, params string[] extra)
    {
        var args = new List<string>();
        if (parse.GetValue(ProviderOption) is { } provider) args.Add($"--Jobs:Provider={provider}");
        if (parse.GetValue(ConnectionOption) is { } cs) args.Add($"--ConnectionStrings:Jobs={cs}");
        args.AddRange(extra);
        foreach (var setting in parse.GetValue(SettingOption) ?? []) args.Add("--" + setting);
        return [.. args];
    }

    private static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }

    /// <summary>Cancels on Ctrl+C for the one-shot verbs (a running batch finishes the jobs it claimed).</summary>
    private static CancellationTokenSource CancelOnCtrlC(CancellationToken outer)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return cts;
    }

    /// <summary>
    /// What a verb may do to the database before it runs. Only the verbs that add work (enqueue, process; and serve, work
    /// and migrate, which have their own paths) create or upgrade the tables; the others find the database as it is.
    /// </summary>
    private enum StoreUse
    {
        /// <summary>The database must exist and be migrated; nothing is created (status, list, stats, cancel, retry, delete, cleanup).</summary>
        Existing,
        /// <summary>Migrate first, unless Jobs:MigrateOnStart is false (enqueue, process).</summary>
        Migrate,
    }

    /// <summary>Runs <paramref name="action"/> with the client of a host built from the command line, its store opened as <paramref name="use"/> says.</summary>
    private static Task<int> WithClientAsync(ParseResult parse, StoreUse use, Func<IJobClient, Task<int>> action, CancellationToken ct) =>
        WithHostAsync(parse, use, (services, _) => action(services.GetRequiredService<IJobClient>()), ct);

    /// <summary>Runs <paramref name="action"/> with the services and settings of a host built from the command line, its store opened as <paramref name="use"/> says.</summary>
    private static async Task<int> WithHostAsync(ParseResult parse, StoreUse use, Func<IServiceProvider, ServerSettings, Task<int>> action, CancellationToken ct)
    {
        var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
        using (host)
        {
            if (use == StoreUse.Migrate) await ServerHost.OpenStoreAsync(host.Services, settings, false, ct);
            else await ServerHost.RequireMigratedStoreAsync(host.Services, settings, ct);
            return await action(host.Services, settings);
        }
    }

    private static string Describe(JobInfo job) => $"job {job.Id} ({job.Type}, queue {job.Queue}) is {job.Status.ToName()}";

    private static JobResponse Response(JobInfo job) => JobResponse.From(job);
}
