namespace Leora.Jobs.Storage;

/// <summary>A limit row as the limited claim reads it, with the jobs of its type or queue running now.</summary>
internal sealed record LimitState(JobLimitScope Scope, string Name, int? Rate, long? RatePeriodMs, int? Concurrency, int? KeyConcurrency,
    long? WindowStartMs, int WindowCount, int Running);

/// <summary>
/// One statement of the limited claim: the pending jobs of one limited type (<see cref="Kind"/>) or of the types that have
/// no limit (null), of one limited queue (<see cref="Queue"/>) or of the queues that have none (null); with both null, the
/// keyed jobs of unlimited types and queues. At most <see cref="Cap"/> of them.
/// </summary>
internal sealed record LimitLane(string? Kind, string? Queue, int Cap)
{
    public bool KeyedOnly => Kind is null && Queue is null;
}

/// <summary>
/// The arithmetic of the limited claim (docs/limits.md), shared by both stores, which run it in one serialised transaction
/// (SQLite: its one writer; PostgreSQL: an advisory transaction lock) after reading every limit row, the running counts
/// and the running concurrency keys in that transaction. Each limit's room is the least of its rate window's remainder and
/// its concurrency's; a lane claims at most the room of every limit it falls under, and what it claims is taken off them
/// before the next lane is planned. A key already at its type's key concurrency is excluded from the statement's scan (so a
/// blocked key never hides the jobs behind it); a statement takes at most one job per key, the next claim the next.
/// </summary>
internal sealed class LimitedClaimPlan
{
    /// <summary>The separator of a type and a key in <see cref="FullKeys"/>: type names never contain it.</summary>
    public const char KeySeparator = '\u001f';

    private readonly Dictionary<string, Room> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Room> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _keyRunning = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fullKeys = new(StringComparer.Ordinal);
    private readonly JobClaimParams _claim;
    private int _remaining;

    private sealed class Room
    {
        public Room(LimitState state, long nowMs)
        {
            State = state;
            if (state.RatePeriodMs is not { } period) return;
            // Windows aligned to the period since the Unix epoch: a per-minute limit counts per clock minute.
            WindowStartMs = nowMs - (((nowMs % period) + period) % period);
            Started = state.WindowStartMs == WindowStartMs ? state.WindowCount : 0;
        }

        public LimitState State { get; }
        public long WindowStartMs { get; }
        public int Started { get; set; }
        public int Claimed { get; set; }
        public int Free => Math.Max(0, Math.Min(
            State.Rate is { } rate ? rate - Started : int.MaxValue,
            State.Concurrency is { } c ? c - State.Running - Claimed : int.MaxValue));
    }

    public LimitedClaimPlan(IReadOnlyList<LimitState> limits, IReadOnlyList<(string Kind, string Key, int Running)> keys, long nowMs, JobClaimParams claim)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(keys);
        _claim = claim;
        _remaining = claim.Limit;
        foreach (var l in limits) (l.Scope == JobLimitScope.Queue ? _queues : _types)[l.Name] = new Room(l, nowMs);
        foreach (var (kind, key, running) in keys)
        {
            var id = kind + KeySeparator + key;
            _keyRunning[id] = running;
            if (running >= KeyCap(kind)) _fullKeys.Add(id);
        }
        LimitedTypes = [.. _types.Keys];
        LimitedQueues = [.. _queues.Keys];
    }

    /// <summary>The types that have a limit row (excluded from lanes of unlimited types).</summary>
    public string[] LimitedTypes { get; }

    /// <summary>The queues that have a limit row (excluded from lanes of unlimited queues).</summary>
    public string[] LimitedQueues { get; }

    /// <summary>The keys (type, separator, key) that may not start another job now.</summary>
    public string[] FullKeys => [.. _fullKeys];

    /// <summary>How many jobs the claim may still take.</summary>
    public int Remaining => _remaining;

    /// <summary>How many candidates a lane's statement reads to fill <paramref name="cap"/> (several jobs of one key yield one).</summary>
    public static int Scan(int cap) => Math.Min(cap * 4 + 16, 1000);

    private int KeyCap(string kind) => _types.TryGetValue(kind, out var t) && t.State.KeyConcurrency is { } n ? n : 1;

    /// <summary>
    /// The lanes this claim may run, each planned with the room left after the ones before it (enumerate lazily, calling
    /// <see cref="Claimed"/> after each lane's statement).
    /// </summary>
    public IEnumerable<LimitLane> Lanes()
    {
        var kinds = _claim.Kinds is { } k ? new HashSet<string>(k, StringComparer.Ordinal) : null;
        var queueIsLimited = _claim.Queue is { } q0 && _queues.ContainsKey(q0);
        foreach (var kind in (string?[])[.. _types.Keys.Order(StringComparer.Ordinal), null])
        {
            if (kind is not null && kinds?.Contains(kind) == false) continue;
            foreach (var queue in (string?[])[.. _queues.Keys.Order(StringComparer.Ordinal), null])
            {
                if (_claim.Queue is { } only && (queue is null ? queueIsLimited : queue != only)) continue;
                var cap = _remaining;
                if (kind is not null) cap = Math.Min(cap, _types[kind].Free);
                if (queue is not null) cap = Math.Min(cap, _queues[queue].Free);
                if (cap > 0) yield return new LimitLane(kind, queue, cap);
            }
        }
    }

    /// <summary>Takes what a lane claimed off the room of its limits, the claim's remainder, and the keys' room.</summary>
    public void Claimed(LimitLane lane, IReadOnlyList<JobRow> rows)
    {
        ArgumentNullException.ThrowIfNull(lane);
        ArgumentNullException.ThrowIfNull(rows);
        _remaining -= rows.Count;
        foreach (var room in (Room?[])[lane.Kind is null ? null : _types[lane.Kind], lane.Queue is null ? null : _queues[lane.Queue]])
        {
            if (room is null) continue;
            room.Started += rows.Count;
            room.Claimed += rows.Count;
        }
        foreach (var row in rows)
        {
            if (row.ConcurrencyKey is not { } key) continue;
            var id = row.Kind + KeySeparator + key;
            var running = _keyRunning[id] = _keyRunning.GetValueOrDefault(id) + 1;
            if (running >= KeyCap(row.Kind)) _fullKeys.Add(id);
        }
    }

    /// <summary>The rate windows to write back: every rate-limited row that started jobs in this claim.</summary>
    public IReadOnlyList<(JobLimitScope Scope, string Name, long WindowStartMs, int Count)> WindowUpdates() =>
        [.. _types.Values.Concat(_queues.Values)
            .Where(r => r.State.Rate is not null && r.Claimed > 0)
            .Select(r => (r.State.Scope, r.State.Name, r.WindowStartMs, r.Started))];
}

/// <summary>
/// When a store runs the limited claim beside the fast one (docs/limits.md): always when the fast claim left slots free;
/// otherwise only when the last limited claim took jobs, or <see cref="Interval"/> after one that took none. So a process
/// busy with unlimited jobs pays the serialised limited claim a few times a second, not once per claim, while limited jobs
/// that can start are still claimed beside them. Real elapsed time, not the TimeProvider's: it paces work, decides nothing.
/// </summary>
internal sealed class LimitedClaimGate
{
    /// <summary>How long after a limited claim that took nothing the next one runs, unless the fast claim leaves slots free.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private long _dueAt;

    /// <summary>Whether the limited claim should run before the fast one.</summary>
    public bool Due => Environment.TickCount64 >= Interlocked.Read(ref _dueAt);

    /// <summary>Records a limited claim that took <paramref name="claimed"/> jobs.</summary>
    public void Ran(int claimed) =>
        Interlocked.Exchange(ref _dueAt, claimed > 0 ? 0 : Environment.TickCount64 + (long)Interval.TotalMilliseconds);
}
