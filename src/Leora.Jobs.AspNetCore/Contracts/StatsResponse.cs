namespace Leora.Jobs.AspNetCore;

/// <summary>Counts for monitoring (<c>GET /api/jobs/stats</c>).</summary>
public sealed record StatsResponse
{
    /// <summary>Every status, zero included.</summary>
    public required IReadOnlyDictionary<string, long> ByStatus { get; init; }
    /// <summary>Unfinished jobs (pending, processing) by type, then status.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ByType { get; init; }
    /// <summary>Unfinished jobs (pending, processing) by queue, then status.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ByQueue { get; init; }
    public required long DuePending { get; init; }
    public required long Scheduled { get; init; }
    public required long CompletedLastMinute { get; init; }
    public required long FailedLastMinute { get; init; }
    public required long CompletedLastHour { get; init; }
    public required long FailedLastHour { get; init; }
    /// <summary>Age of the oldest due pending job in seconds; null when none is due.</summary>
    public double? OldestDuePendingAgeSeconds { get; init; }
    /// <summary>The database's time when the counts were read.</summary>
    public required DateTimeOffset Now { get; init; }
    /// <summary>The long-running worker nodes registered in the nodes table, by name; silent ones are listed and marked until the leader drops them.</summary>
    public required IReadOnlyList<NodeResponse> Nodes { get; init; }
    /// <summary>Types with pending jobs that neither the answering process nor any live worker node has a handler for, sorted: "no worker for this type" (<see cref="JobStats.TypesWithoutWorker"/>).</summary>
    public IReadOnlyList<string> TypesWithoutWorker { get; init; } = [];
    /// <summary>The paused queues and job types, queues first: their pending jobs are counted above but claimed by nobody until resumed.</summary>
    public IReadOnlyList<PauseResponse> Paused { get; init; } = [];
    /// <summary>The highest migration applied to the database (its schema version).</summary>
    public int? SchemaVersion { get; init; }
    /// <summary>The highest migration the answering build knows; a database above it needs a newer release.</summary>
    public int? LatestSchemaVersion { get; init; }
    /// <summary>Every rate and concurrency limit stored in the database, with its usage now (<see cref="JobStats.Limits"/>).</summary>
    public IReadOnlyList<LimitResponse> Limits { get; init; } = [];

    /// <summary>Maps the core stats.</summary>
    public static StatsResponse From(JobStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return new StatsResponse
        {
            ByStatus = Names(stats.ByStatus),
            ByType = stats.ByType.ToDictionary(p => p.Key, p => Names(p.Value), StringComparer.Ordinal),
            ByQueue = stats.ByQueue.ToDictionary(p => p.Key, p => Names(p.Value), StringComparer.Ordinal),
            DuePending = stats.DuePending,
            Scheduled = stats.Scheduled,
            CompletedLastMinute = stats.CompletedLastMinute,
            FailedLastMinute = stats.FailedLastMinute,
            CompletedLastHour = stats.CompletedLastHour,
            FailedLastHour = stats.FailedLastHour,
            OldestDuePendingAgeSeconds = stats.OldestDuePendingAge is { } age ? Math.Round(age.TotalSeconds, 3) : null,
            Now = stats.Now,
            Nodes = [.. stats.Nodes.Select(n => NodeResponse.From(n, stats.Now))],
            TypesWithoutWorker = stats.TypesWithoutWorker,
            Paused = [.. stats.Paused.Select(PauseResponse.From)],
            SchemaVersion = stats.Schema?.Applied,
            LatestSchemaVersion = stats.Schema?.Latest,
            Limits = [.. stats.Limits.Select(LimitResponse.From)],
        };
    }

    private static IReadOnlyDictionary<string, long> Names(IReadOnlyDictionary<JobStatus, long> counts) =>
        counts.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToName(), p => p.Value, StringComparer.Ordinal);
}
