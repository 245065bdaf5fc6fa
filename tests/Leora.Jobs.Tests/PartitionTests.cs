using System.Diagnostics;
using Leora.Jobs.TestSupport;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// A network partition of 60 seconds between one worker process and PostgreSQL (issue 17): a relay that stops
/// forwarding, leaving the worker's connections open and hanging. Its job is rescued by another worker once the lease
/// runs out; what the cut-off worker wrote meanwhile reaches the database after the partition heals and is rejected by
/// the lease's token (DESIGN.md invariant 2); the worker then carries on, and every job ends exactly once.
/// </summary>
public sealed class PartitionTests
{
    private static readonly TimeSpan PartitionLength = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const int FollowUpJobs = 40;

    [Fact]
    public async Task A_worker_cut_off_for_sixty_seconds_loses_its_job_to_a_rescue_and_its_late_writes_are_rejected()
    {
        await using var h = await Harness.CreateAsync("postgresql", configure: b => b
            .AddJob<MpHangArgs, CompletingHangHandler>()
            .AddJob<MpNoopArgs, CountingNoopHandler>());
        var direct = new NpgsqlConnectionStringBuilder(h.ConnectionString);
        await using var relay = new PartitionRelay(direct.Host!, direct.Port);
        // Timeouts longer than the partition: the worker's statements wait through it rather than give up, so the
        // outcome it writes during the partition reaches the server after the rescue and the server's answer comes back.
        // (With Npgsql's defaults the write fails locally after 30 s and may still arrive late: fenced the same way.)
        var viaRelay = new NpgsqlConnectionStringBuilder(h.ConnectionString)
        {
            Host = "127.0.0.1", Port = relay.Port, Timeout = 150, CommandTimeout = 150, Pooling = true,
        }.ConnectionString;
        var dir = Directory.CreateTempSubdirectory("leora-partition-");
        try
        {
            var job = await h.Client.EnqueueAsync(new MpHangArgs("cut off"));
            var release = Path.Combine(dir.FullName, "release");
            var log = Path.Combine(dir.FullName, "worker.log");
            // A short lease (3 s, heartbeat every second) so that the rescue comes well within the partition.
            await using var child = ChildWorker.StartWith(h, viaRelay, "partition", "--lease-ms", "3000", "--release", release, "--log", log);
            Assert.Equal($"started {job.Id}", await child.WaitForLineAsync("started ", Wait));
            var deadToken = (await h.Store.JobGetAsync(job.Id, CancellationToken.None))!.LockToken!.Value;

            relay.Partition();
            var cut = Stopwatch.StartNew();

            // Another worker (this process, on a direct connection) rescues the job once the lease has run out and runs it.
            var report = await Eventually.WaitAsync(() => h.Processor.ProcessOneAsync(), r => r is not null, Wait, "the job to be rescued and run");
            Assert.Equal(job.Id, report!.Id);
            Assert.Equal(JobOutcome.Completed, report.Outcome);
            Assert.True(cut.Elapsed < PartitionLength, $"the rescue came {cut.Elapsed} after the cut, not within the partition");
            var rescued = (await h.Client.GetAsync(job.Id))!;
            Assert.Equal(JobStatus.Completed, rescued.Status);
            Assert.Equal(2, rescued.Attempts);
            Assert.Equal("LeaseExpired", Assert.Single(rescued.Errors).Type);

            // The cut-off worker's handler finishes now and writes its outcome into the partition; more work is queued
            // meanwhile, for the cut-off worker to take once it is back.
            await File.WriteAllTextAsync(release, "");
            await child.WaitForLineAsync("finished ", Wait);
            await h.Client.EnqueueManyAsync(Enumerable.Range(0, FollowUpJobs).Select(i => new MpNoopArgs(i)));

            // The partition lasts its 60 seconds (the subject of the test, not a wait for something): the worker's
            // statements hang, nothing is closed, and the job stays as its rescuer left it.
            var rest = PartitionLength - cut.Elapsed;
            if (rest > TimeSpan.Zero) await Task.Delay(rest);
            Assert.True(relay.HeldBytes > 0, "the cut-off worker sent nothing during the partition");
            Assert.DoesNotContain("outcome ", child.Output, StringComparison.Ordinal);
            relay.Heal();

            // Its held write reaches the database and is refused: the job is no longer its to complete.
            Assert.Equal($"outcome {job.Id} LeaseLost", await child.WaitForLineAsync("outcome ", TimeSpan.FromSeconds(150)));
            var after = (await h.Client.GetAsync(job.Id))!;
            Assert.Equal(JobStatus.Completed, after.Status);
            Assert.Equal(rescued.CompletedAt, after.CompletedAt);
            Assert.Equal(2, after.Attempts);
            Assert.Single(after.Errors);
            Assert.False(await h.Store.JobCompleteAsync(new Storage.JobCompleteParams(job.Id, deadToken, "{\"late\":1}"), CancellationToken.None));
            Assert.Equal(Storage.JobHeartbeatResult.Lost, await h.Store.JobHeartbeatAsync(job.Id, deadToken, TimeSpan.FromMinutes(1), CancellationToken.None));

            // The cut-off worker carries on: it drains the follow-up jobs alone, each once.
            await child.WaitForLineAsync("drained", TimeSpan.FromSeconds(120));
            Assert.Equal(0, await child.WaitForExitAsync(Wait));
            var ran = (await File.ReadAllLinesAsync(log)).Select(long.Parse).ToList();
            Assert.Equal(FollowUpJobs + 1, ran.Count);
            Assert.Equal(FollowUpJobs + 1, ran.Distinct().Count());
            var counts = await h.Client.CountByStatusAsync();
            Assert.Equal(FollowUpJobs + 1, counts[JobStatus.Completed]);
            Assert.Equal(FollowUpJobs + 1, counts.Values.Sum());
            var page = await h.Client.ListAsync(new JobQuery { Limit = 100 });
            Assert.All(page.Items.Where(j => j.Id != job.Id), j => Assert.Equal(1, j.Attempts));
            // The rescuer ran the cut-off job once, and nothing else.
            Assert.Equal([job.Id], h.Recorder.Runs.Select(r => r.Id));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
