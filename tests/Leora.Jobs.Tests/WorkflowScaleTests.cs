using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Leora.Jobs.Tests;

/// <summary>The batch's completion callback in the scale test (the worker processes' type of the same name).</summary>
public sealed record MpBatchDoneArgs(string Note) : IJobArgs
{
    public static string Kind => "mp_batch_done";
}

/// <summary>Registered so that the test's client accepts the type; the test process never runs it (its workers do).</summary>
public sealed class MpBatchDoneHandler : IJobHandler<MpBatchDoneArgs>
{
    public Task HandleAsync(JobContext<MpBatchDoneArgs> job, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The scale test's callback runs in a worker process, not in the test.");
}

/// <summary>
/// Issue 14, correctness at scale: a batch of 100,000 children worked by three worker processes
/// (tests/Leora.Jobs.TestWorker), one of them killed with SIGKILL mid-run, fires its completion callback exactly once.
/// What the design guarantees, and what is asserted: every child completes; a child runs again only after its run in the
/// killed process was lost (its lease expired: at least once, never lost); the batch counts each child once (100,000
/// completed, nothing pending); the callback leaves <c>waiting</c> once and runs once.
/// </summary>
public abstract class WorkflowScaleTests(ITestOutputHelper output)
{
    private const int Children = 100_000;
    // The victim is killed once it has run this many children: about 6 % of the batch if the three share it evenly, so
    // the kill falls early in the run and the survivors' remaining work covers the killed jobs' lease.
    private const int KillAfter = 2_000;
    private const int Concurrency = 200;
    // Long enough to outlast stalls of a loaded CI machine (a live worker whose completion is late loses its jobs to a
    // rescue, correctly, but then they run twice), short enough for the killed worker's jobs to come back within the run.
    private const int LeaseMs = 15_000;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(8);

    protected abstract string Provider { get; }

    [Fact]
    public async Task A_batch_of_100000_children_worked_by_three_processes_one_killed_fires_its_callback_exactly_once()
    {
        var total = Stopwatch.StartNew();
        await using var h = await Harness.CreateAsync(Provider, configure: b => b
            .AddJob<MpNoopArgs, CountingNoopHandler>()
            .AddJob<MpBatchDoneArgs, MpBatchDoneHandler>());
        var workflows = h.Services.GetRequiredService<IJobWorkflows>();
        var dir = Directory.CreateTempSubdirectory("leora-wfscale-");
        var stop = Path.Combine(dir.FullName, "stop");
        var logs = Enumerable.Range(0, 3).Select(i => Path.Combine(dir.FullName, $"w{i}.log")).ToArray();
        try
        {
            var workers = logs.Select(log => ChildWorker.Start(h, "drain", "--log", log, "--until", stop, "--progress", "1000",
                "--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture), "--lease-ms", LeaseMs.ToString(CultureInfo.InvariantCulture),
                "--rescue-ms", "1000")).ToList();
            var victim = workers[0];
            var victimPid = victim.Pid;
            long[] members;
            long callback;
            long batchId;
            TimeSpan created, killedAt, finished;
            var workerOutput = "";
            try
            {
                // Created once every process polls, so that all three share the batch from its start.
                foreach (var w in workers) await w.WaitForLineAsync("ready", Long);
                var run = Stopwatch.StartNew();
                (members, callback, batchId) = await CreateBatchAsync(h, workflows);
                created = run.Elapsed;

                await victim.WaitForLineAsync($"ran {KillAfter}", Long);
                await victim.KillAsync();
                killedAt = run.Elapsed;
                var atKill = (await workflows.GetBatchAsync(batchId))!;
                // The callback cannot have run in the killed process: the batch had children left when it died.
                Assert.True(atKill.Pending > 0, $"the batch was still running at the kill (pending {atKill.Pending})");
                output.WriteLine($"at the kill: {atKill.Completed:N0} completed, {atKill.Pending:N0} pending");

                await Eventually.WaitAsync(() => h.Client.GetAsync(callback),
                    j => j!.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled, Long, "the batch's callback to finish");
                finished = run.Elapsed;
                await File.WriteAllTextAsync(stop, "");
                foreach (var w in workers.Skip(1)) Assert.Equal(0, await w.WaitForExitAsync(Long));
            }
            finally
            {
                workerOutput = string.Join('\n', workers.Select(w => $"worker {w.Pid}:\n{string.Join('\n', w.Output.Split('\n').Where(l => !l.StartsWith("ran ", StringComparison.Ordinal)))}"));
                foreach (var w in workers) await w.DisposeAsync();
            }

            var runs = logs.Select(l => File.ReadAllLines(l).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList()).ToArray();
            var victimRuns = runs[0].ToHashSet();
            var survivorRuns = runs[1].Concat(runs[2]).CountBy(id => id).ToDictionary(p => p.Key, p => p.Value);
            output.WriteLine($"runs per process: {string.Join(", ", runs.Select(r => r.Count.ToString("N0", CultureInfo.InvariantCulture)))}");

            // The kill fell mid-run: the killed process had run some children, not all; the survivors ran the rest.
            Assert.InRange(runs[0].Count, KillAfter, Children - 1);
            Assert.Equal(runs[0].Count, victimRuns.Count);
            Assert.True(runs[1].Count > 0 && runs[2].Count > 0, "both surviving workers ran children");

            // The callback ran once, in a survivor.
            Assert.Equal(1, runs.Sum(r => r.Count(id => id == callback)));
            Assert.DoesNotContain(callback, victimRuns);
            var memberSet = members.ToHashSet();
            Assert.Equal(Children, memberSet.Count);
            Assert.All(runs.SelectMany(r => r), id => Assert.True(id == callback || memberSet.Contains(id), $"job {id} ran but is not the batch's"));

            // Every child ran; in the survivors at most once; twice in all only when its first run was in the killed process.
            var notRun = members.Where(id => !victimRuns.Contains(id) && !survivorRuns.ContainsKey(id)).Take(5).ToList();
            Assert.True(notRun.Count == 0, $"children never run: {string.Join(", ", notRun)}");
            var twiceInSurvivors = survivorRuns.Where(p => p.Value > 1).Select(p => p.Key).ToList();
            if (twiceInSurvivors.Count > 0)
            {
                var shown = new List<string>();
                foreach (var id in twiceInSurvivors.Take(5))
                    shown.Add((await h.Client.GetAsync(id)) is { } j
                        ? $"{id}: {j.Status}, {j.Attempts} attempts, errors [{string.Join("; ", j.Errors.Select(e => $"{e.Type} {e.Worker} {e.Message}"))}]"
                        : $"{id}: gone");
                Assert.Fail($"{twiceInSurvivors.Count} children run twice by the surviving workers (killed: test-worker-{victimPid}):\n" +
                    string.Join('\n', shown) + "\n" + workerOutput);
            }
            var again = members.Count(id => victimRuns.Contains(id) && survivorRuns.ContainsKey(id));

            // The database: every child completed, each extra attempt rescued from the killed worker, runs ≤ attempts.
            var victimName = $"test-worker-{victimPid}";
            var seen = 0;
            var rescued = 0;
            string? cursor = null;
            do
            {
                var page = await h.Client.ListAsync(new JobQuery { Limit = 1000, Cursor = cursor, Type = MpNoopArgs.Kind });
                foreach (var j in page.Items)
                {
                    Assert.True(memberSet.Contains(j.Id), $"job {j.Id} is not the batch's");
                    Assert.Equal(JobStatus.Completed, j.Status);
                    var ran = (victimRuns.Contains(j.Id) ? 1 : 0) + survivorRuns.GetValueOrDefault(j.Id);
                    Assert.True(j.Attempts >= ran, $"job {j.Id}: {ran} runs, {j.Attempts} attempts");
                    if (j.Attempts > 1)
                    {
                        rescued++;
                        Assert.Equal(j.Attempts - 1, j.Errors.Count);
                        Assert.All(j.Errors, e => Assert.True(e.Type == "LeaseExpired" && e.Worker == victimName,
                            $"job {j.Id}: an extra attempt not rescued from the killed worker ({e.Type}, {e.Worker})"));
                    }
                    seen++;
                }
                cursor = page.NextCursor;
            } while (cursor is not null);
            Assert.Equal(Children, seen);
            var counts = await h.Client.CountByStatusAsync();
            Assert.Equal(Children + 1, counts[JobStatus.Completed]);
            Assert.Equal(Children + 1, counts.Values.Sum());

            // The batch counted each child once and finished; its callback left 'waiting' once, ran once, completed.
            var batch = (await workflows.GetBatchAsync(batchId))!;
            Assert.Equal((Children, 0, Children, 0, 0), (batch.Total, batch.Pending, batch.Completed, batch.Failed, batch.Cancelled));
            Assert.NotNull(batch.FinishedAt);
            Assert.Equal(callback, batch.OnCompleteJobId);
            var done = (await h.Client.GetAsync(callback))!;
            Assert.Equal(JobStatus.Completed, done.Status);
            Assert.Equal(1, done.Attempts);
            var timeline = (await h.Client.TimelineAsync(callback))!;
            Assert.Equal(1, timeline.Count(e => e.Kind == JobEventKind.Released));
            Assert.Equal(1, timeline.Count(e => e.Kind == JobEventKind.Claimed));
            Assert.Equal(1, timeline.Count(e => e.Kind == JobEventKind.Completed));

            output.WriteLine($"{Provider}: batch created in {created.TotalSeconds:0.0} s, worker killed at {killedAt.TotalSeconds:0.0} s, " +
                $"callback done at {finished.TotalSeconds:0.0} s; {again:N0} children ran again after the kill, {rescued:N0} rescued; " +
                $"whole test {total.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The batch in one transaction: one call enqueues at most 100,000 jobs (WorkflowPlanner.MaxJobs) and the callback is one
    /// of them, so half the children come with the batch and half join it by <see cref="EnqueueOptions.BatchId"/>. The
    /// workers see it whole at the commit; added in two commits, they could finish the first half and fire the callback early.
    /// </summary>
    private static async Task<(long[] Members, long Callback, long BatchId)> CreateBatchAsync(Harness h, IJobWorkflows workflows)
    {
        await using var connection = await h.Client.OpenConnectionAsync();
        await using DbTransaction tx = await connection.BeginTransactionAsync();
        var first = await workflows.CreateBatchAsync(new JobBatchRequest
        {
            Description = "scale test",
            Jobs = [.. Enumerable.Range(0, Children / 2).Select(i => WorkflowJob.For(new MpNoopArgs(i)))],
            OnComplete = WorkflowJob.For(new MpBatchDoneArgs("all children done")),
        }, tx);
        var batchId = first.BatchId!.Value;
        var second = await h.Client.EnqueueManyAsync(Enumerable.Range(Children / 2, Children / 2).Select(i => new MpNoopArgs(i)), tx,
            new EnqueueOptions { BatchId = batchId });
        await tx.CommitAsync();
        return ([.. first.JobIds, .. second.Select(r => r.Id)], first.OnCompleteJobId!.Value, batchId);
    }
}

public sealed class SqliteWorkflowScaleTests(ITestOutputHelper output) : WorkflowScaleTests(output)
{
    protected override string Provider => "sqlite";
}

public sealed class PostgreSqlWorkflowScaleTests(ITestOutputHelper output) : WorkflowScaleTests(output)
{
    protected override string Provider => "postgresql";
}
