using System.Text.Json;
using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// Turns one workflow call into the store's insert: checks every job, resolves references to indexes, refuses unknown
/// references and cycles (naming them), and orders the jobs so that parents come before their children.
/// </summary>
internal static class WorkflowPlanner
{
    /// <summary>The most jobs one workflow call enqueues.</summary>
    public const int MaxJobs = 100_000;
    private const int MaxRefLength = 100;
    private const int MaxParents = 1000;
    internal const int MaxDescription = 200;

    /// <summary>A job of the call with its place: a batch member, a callback, or neither.</summary>
    public readonly record struct Entry(WorkflowJob Job, JobBatchRole? Role);

    /// <summary>
    /// The insert for <paramref name="entries"/>, in dependency order, and for each input entry its index in that order.
    /// <paramref name="build"/> checks a job's type, payload and options and builds its row.
    /// </summary>
    public static (WorkflowInsertParams Insert, int[] Order) Plan(IReadOnlyList<Entry> entries, Func<string, JsonElement, EnqueueOptions?, JobInsertParams> build)
    {
        if (entries.Count == 0) throw new JobValidationException("jobs must not be empty.", "jobs");
        if (entries.Count > MaxJobs) throw new JobValidationException($"At most {MaxJobs} jobs may be enqueued in one call (were {entries.Count}).", "jobs");
        var byRef = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new JobInsertParams[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var job = entries[i].Job ?? throw new JobValidationException($"jobs[{i}] is missing (null).", "jobs");
            rows[i] = build(job.Type, job.Payload, job.Options);
            var options = job.Options;
            if (options?.IdempotencyKey is not null && (entries[i].Role is not null || options.IsWorkflow || job.DependsOn is { Count: > 0 } || job.Ref is not null))
                throw new JobValidationException($"jobs[{i}]: idempotencyKey cannot be combined with dependencies or a batch.", "idempotencyKey");
            if (options?.BatchId is not null && entries[i].Role is not null)
                throw new JobValidationException($"jobs[{i}]: batchId is given by the batch itself.", "batchId");
            if (options?.DependsOn is { } ids)
            {
                if (ids.Count > MaxParents) throw new JobValidationException($"jobs[{i}]: at most {MaxParents} parents (were {ids.Count}).", "dependsOn");
                if (ids.Any(id => id < 1))
                    throw new JobValidationException($"jobs[{i}]: dependsOn holds job ids, 1 or more.", "dependsOn");
            }
            if (job.Ref is { } reference)
            {
                if (reference.Length is 0 or > MaxRefLength)
                    throw new JobValidationException($"jobs[{i}]: ref must be 1–{MaxRefLength} characters.", "ref");
                StoredText.Require(reference, "ref");
                if (!byRef.TryAdd(reference, i)) throw new JobValidationException($"jobs[{i}]: ref '{reference}' is used twice.", "ref");
            }
        }

        var parents = new List<int>[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            parents[i] = [];
            foreach (var reference in entries[i].Job.DependsOn ?? [])
            {
                if (reference is null || !byRef.TryGetValue(reference, out var parent))
                    throw new JobValidationException($"jobs[{i}]: dependsOn names '{reference}', which is no job of this call.", "dependsOn");
                if (parent == i) throw new JobValidationException($"jobs[{i}] ('{reference}') depends on itself.", "dependsOn");
                if (entries[i].Role is not (null or JobBatchRole.Member) || entries[parent].Role is not (null or JobBatchRole.Member))
                    throw new JobValidationException($"jobs[{i}]: a batch's callbacks neither depend on nor are depended on by its jobs.", "dependsOn");
                if (!parents[i].Contains(parent)) parents[i].Add(parent);
            }
        }

        var order = TopologicalOrder(parents, entries);
        var position = new int[entries.Count];
        for (var k = 0; k < order.Count; k++) position[order[k]] = k;
        var jobs = new WorkflowJobParams[entries.Count];
        for (var k = 0; k < order.Count; k++)
        {
            var i = order[k];
            var options = entries[i].Job.Options;
            jobs[k] = new WorkflowJobParams(rows[i])
            {
                ParentIds = options?.DependsOn ?? [],
                ParentIndexes = [.. parents[i].Select(p => position[p])],
                RunAnyway = options?.OnParentFailure == ParentFailurePolicy.RunAnyway,
                BatchRole = entries[i].Role ?? (options?.BatchId is not null ? JobBatchRole.Member : null),
            };
        }
        // Jobs that join an existing batch by their options: one batch per call (the store counts them in one update).
        var joined = entries.Select(e => e.Job.Options?.BatchId).OfType<long>().Distinct().ToList();
        if (joined.Count > 1) throw new JobValidationException("The jobs of one call may join one batch only.", "batchId");
        return (new WorkflowInsertParams(jobs) { BatchId = joined.Count == 1 ? joined[0] : null }, position);
    }

    // Kahn's algorithm, taking ready jobs in input order so that a graph without edges keeps its order (and its ids).
    private static List<int> TopologicalOrder(List<int>[] parents, IReadOnlyList<Entry> entries)
    {
        var n = parents.Length;
        var waiting = new int[n];
        var children = new List<int>[n];
        for (var i = 0; i < n; i++) children[i] = [];
        for (var i = 0; i < n; i++)
        {
            waiting[i] = parents[i].Count;
            foreach (var p in parents[i]) children[p].Add(i);
        }
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < n; i++) if (waiting[i] == 0) ready.Enqueue(i, i);
        var order = new List<int>(n);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(i);
            foreach (var c in children[i]) if (--waiting[c] == 0) ready.Enqueue(c, c);
        }
        if (order.Count == n) return order;
        throw new JobValidationException($"The jobs' dependencies form a cycle: {DescribeCycle(parents, waiting, entries)}.", "dependsOn");
    }

    // Follows parents among the jobs left over (each has one in the cycle or behind it) until one repeats.
    private static string DescribeCycle(List<int>[] parents, int[] waiting, IReadOnlyList<Entry> entries)
    {
        var start = Array.FindIndex(waiting, w => w > 0);
        var seen = new List<int>();
        var i = start;
        while (!seen.Contains(i))
        {
            seen.Add(i);
            i = parents[i].First(p => waiting[p] > 0);
        }
        var cycle = seen.Skip(seen.IndexOf(i)).Append(i).Select(j => entries[j].Job.Ref ?? $"jobs[{j}]");
        return string.Join(" → ", cycle.Reverse());
    }
}
