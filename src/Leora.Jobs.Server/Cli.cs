using System.CommandLine;
using System.Data.Common;
using System.Net.Sockets;
using System.Text.Json;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

/// <summary>
/// The command line of <c>leora-jobs</c> (System.CommandLine: the parser the .NET SDK itself uses, with help and
/// completion built in, and unmatched tokens handed on to ASP.NET Core configuration, so <c>--Jobs:Provider=postgresql</c>
/// works on every verb). Tables by default, <c>--json</c> for scripts, exit codes in <see cref="ExitCodes"/>.
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

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
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
                case ServerConfigurationException config: return (config.Message, ExitCodes.Configuration);
                case Microsoft.Extensions.Options.OptionsValidationException invalid: return (invalid.Message, ExitCodes.Configuration);
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
            "Configuration options such as --Jobs:Provider=postgresql or --Jobs:Worker:Concurrency=8 are accepted by every command.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.Options.Add(ProviderOption);
        root.Options.Add(ConnectionOption);
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
        root.Subcommands.Add(MigrateCommand());
        root.SetAction((parse, ct) => ServeAsync(parse, null, false, ct));
        return root;
    }

    private static Command NewCommand(string name, string description) => new(name, description) { TreatUnmatchedTokensAsErrors = false };

    private static Option<bool> JsonOption() => new("--json") { Description = "Write JSON (the HTTP API's shapes) instead of a table." };

    /// <summary>
    /// The configuration arguments: --provider and --connection-string, then every token the parser did not match,
    /// which must look like configuration (--Key=value or --Key value); anything else is a usage error.
    /// </summary>
    private static string[] ConfigArgs(ParseResult parse, params string[] extra)
    {
        var args = new List<string>();
        if (parse.GetValue(ProviderOption) is { } provider) args.Add($"--Jobs:Provider={provider}");
        if (parse.GetValue(ConnectionOption) is { } cs) args.Add($"--ConnectionStrings:Jobs={cs}");
        args.AddRange(extra);
        var tokens = parse.UnmatchedTokens;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length < 3)
                throw new CliUsageException($"unrecognized command or argument '{token}'. Run 'leora-jobs --help' for usage.");
            args.Add(token);
            if (!token.Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new CliUsageException($"unrecognized option '{token}' (configuration options need a value: {token}=value).");
                args.Add(tokens[++i]);
            }
        }
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

    /// <summary>Runs <paramref name="action"/> with the client of a host built from the command line (migrating first unless Jobs:MigrateOnStart is false).</summary>
    private static Task<int> WithClientAsync(ParseResult parse, Func<IJobClient, Task<int>> action, CancellationToken ct) =>
        WithHostAsync(parse, (services, _) => action(services.GetRequiredService<IJobClient>()), ct);

    /// <summary>Runs <paramref name="action"/> with the services and settings of a host built from the command line, its store opened (migrating first unless Jobs:MigrateOnStart is false).</summary>
    private static async Task<int> WithHostAsync(ParseResult parse, Func<IServiceProvider, ServerSettings, Task<int>> action, CancellationToken ct)
    {
        var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
        using (host)
        {
            await ServerHost.OpenStoreAsync(host.Services, settings, false, ct);
            return await action(host.Services, settings);
        }
    }

    private static string Describe(JobInfo job) => $"job {job.Id} ({job.Type}, queue {job.Queue}) is {job.Status.ToName()}";

    private static JobResponse Response(JobInfo job) => JobResponse.From(job);
}
