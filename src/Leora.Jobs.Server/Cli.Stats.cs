using System.CommandLine;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

// stats: counts, recent throughput, backlog age and nodes.
internal static partial class Cli
{
    private static Command StatsCommand()
    {
        var json = JsonOption();
        var command = NewCommand("stats", "Counts by status, type and queue; completed and failed in the last minute and hour; backlog age; what is paused; worker nodes.");
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithClientAsync(parse, StoreUse.Existing, async client =>
        {
            var stats = StatsResponse.From(await client.StatsAsync(ct));
            if (parse.GetValue(json)) { WriteJson(stats); return ExitCodes.Ok; }
            var overview = new ConsoleTable("STATUS", "JOBS");
            foreach (var (status, n) in stats.ByStatus) overview.Add(status, n);
            overview.Write(Console.Out);
            Console.Out.WriteLine();
            var recent = new ConsoleTable("MEASURE", "VALUE");
            recent.Add("due now", stats.DuePending).Add("scheduled", stats.Scheduled)
                .Add("completed, last minute", stats.CompletedLastMinute).Add("failed, last minute", stats.FailedLastMinute)
                .Add("completed, last hour", stats.CompletedLastHour).Add("failed, last hour", stats.FailedLastHour)
                .Add("oldest due job waiting", stats.OldestDuePendingAgeSeconds is { } s ? DurationText.Format(TimeSpan.FromSeconds(Math.Round(s))) : null)
                .Add("schema version", $"{stats.SchemaVersion} (this build knows up to {stats.LatestSchemaVersion})");
            recent.Write(Console.Out);
            WriteTypes(stats);
            WriteGroups("QUEUE", stats.ByQueue);
            WriteLimits(stats.Limits);
            if (stats.Paused.Count > 0)
            {
                Console.Out.WriteLine();
                WritePauses(stats.Paused);
            }
            WriteNodes(stats.Nodes);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    // Each limit with its usage now: jobs started in the rate window, jobs and keys running, against the limit.
    private static void WriteLimits(IReadOnlyList<LimitResponse> limits)
    {
        if (limits.Count == 0) return;
        Console.Out.WriteLine();
        var table = new ConsoleTable("LIMIT", "NAME", "STARTED / RATE", "RUNNING / CONCURRENCY", "KEYS RUNNING (PER KEY)", "SET BY");
        foreach (var l in limits)
            table.Add(l.Scope, l.Name,
                l.Rate is { } rate ? $"{l.StartedInWindow} / {rate} per {DurationText.Format(TimeSpan.FromSeconds(l.RatePeriodSeconds ?? 0))}" : "-",
                l.Concurrency is { } c ? $"{l.Running} / {c}" : $"{l.Running} / -",
                l.Scope == "type" ? $"{l.KeysRunning} ({l.KeyConcurrency ?? 1})" : "-", l.UpdatedBy);
        table.Write(Console.Out);
    }

    private static void WriteNodes(IReadOnlyList<NodeResponse> nodes)
    {
        Console.Out.WriteLine();
        if (nodes.Count == 0)
        {
            Console.Out.WriteLine("No worker node is registered (no long-running worker has heartbeat recently).");
            return;
        }
        var table = new ConsoleTable("NODE", "QUEUES", "CONCURRENCY", "RUNNING", "STARTED", "LAST HEARTBEAT", "ROLE", "STATE");
        foreach (var n in nodes)
            table.Add(n.Name, n.Queues is null ? "*" : string.Join(",", n.Queues), n.Concurrency, n.Running, n.StartedAt,
                $"{DurationText.Format(TimeSpan.FromSeconds(Math.Round(n.HeartbeatAgeSeconds)))} ago", n.Leader ? "leader" : "-", n.Silent ? "SILENT" : "alive");
        table.Write(Console.Out);
    }

    // By type, with the types no handler of this process knows marked: no worker here claims them, and their jobs wait.
    private static void WriteTypes(StatsResponse stats)
    {
        if (stats.ByType.Count == 0) return;
        Console.Out.WriteLine();
        var table = new ConsoleTable("TYPE", "PENDING", "PROCESSING", "WORKER");
        foreach (var (name, counts) in stats.ByType)
            table.Add(name, counts.GetValueOrDefault("pending"), counts.GetValueOrDefault("processing"),
                stats.TypesWithoutWorker.Contains(name, StringComparer.Ordinal) ? "no worker for this type" : null);
        table.Write(Console.Out);
    }

    private static void WriteGroups(string title, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> groups)
    {
        if (groups.Count == 0) return;
        Console.Out.WriteLine();
        var table = new ConsoleTable(title, "PENDING", "PROCESSING");
        foreach (var (name, counts) in groups) table.Add(name, counts.GetValueOrDefault("pending"), counts.GetValueOrDefault("processing"));
        table.Write(Console.Out);
    }
}
