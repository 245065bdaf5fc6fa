using Leora.Jobs.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// A PostgreSQL failover under load (issue 17): a primary and a streaming standby on 127.0.0.1, the service and two
/// worker processes on one connection string that names both (<c>Target Session Attributes=primary</c>), HTTP clients
/// enqueueing and workers running jobs; the primary is killed with SIGKILL and the standby promoted. The service and the
/// workers carry on against the new primary within 30 s. With synchronous replication nothing acknowledged is lost;
/// with asynchronous replication the test measures what was lost (docs/operations.md says what can be).
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CarryOnWithin = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Service_and_workers_carry_on_after_the_primary_is_killed_and_the_standby_promoted(bool synchronous)
    {
        await using var pair = await PostgresFailoverPair.StartAsync(synchronous);
        using var folder = new TempSqlite();
        await using var rig = await ChaosRig.StartAsync(folder.Directory, new Dictionary<string, string>
        {
            ["Jobs__Provider"] = "postgresql",
            ["ConnectionStrings__Jobs"] = pair.ConnectionString,
        }, workers: 2, lease: TimeSpan.FromSeconds(10));
        rig.StartClients(clients: 4, perSecond: 10, prefix: "fo");

        await Eventually.WaitAsync(async () => (await StatesAsync(pair.PrimaryConnectionString)).Values.Count(s => s == "completed"),
            n => n >= 200, TimeSpan.FromSeconds(120), "200 jobs completed before the failover");

        // What the primary had completed a moment before it died, read by a session of the test's own: with synchronous
        // replication a commit becomes visible only once the standby has it (PostgreSQL waits for the standby before it
        // ends the transaction), so each of these outcomes must survive.
        var completedBefore = (await StatesAsync(pair.PrimaryConnectionString)).Where(p => p.Value == "completed").Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        await pair.KillPrimaryAsync();
        var killedAt = rig.Elapsed;

        // The standby as it was when the primary died (read-only until promoted): what survived. No request can be
        // acknowledged now (there is no primary), so every acknowledgement so far is for a commit on the old primary.
        var survived = await StatesAsync(pair.StandbyConnectionString);
        var acknowledgedBefore = rig.Acknowledged.Keys.ToList();
        var lostEnqueues = acknowledgedBefore.Where(k => !survived.ContainsKey(k)).ToList();
        var lostOutcomes = completedBefore.Where(k => survived.GetValueOrDefault(k) != "completed").ToList();

        await pair.PromoteStandbyAsync();
        var promotedAt = rig.Elapsed;

        // The service acknowledges enqueues again and the workers complete new jobs on the new primary.
        await Eventually.WaitAsync(async () =>
        {
            var states = await StatesAsync(pair.StandbyConnectionString);
            return rig.AcknowledgedAt.Count(p => p.Value > promotedAt && states.GetValueOrDefault(p.Key) == "completed");
        }, n => n >= 20, CarryOnWithin + TimeSpan.FromSeconds(30), "20 jobs enqueued after the promotion to complete on the new primary");
        var firstAcknowledged = rig.AcknowledgedAt.Values.Where(t => t > promotedAt).Min() - promotedAt;
        var carriedOnAfter = rig.Elapsed - promotedAt;

        var acknowledgedAtStop = rig.Acknowledged.Count;
        await Eventually.WaitAsync(() => Task.FromResult(rig.Acknowledged.Count), n => n >= acknowledgedAtStop + 100, TimeSpan.FromSeconds(60), "100 more enqueues");
        await rig.StopClientsAsync();

        // Every acknowledged job that the new primary has ends completed: none stuck (the old primary's claims are
        // rescued after their lease), none failed.
        var expected = rig.Acknowledged.Keys.Except(lostEnqueues, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var final = await Eventually.WaitAsync(() => StatesAsync(pair.StandbyConnectionString),
            s => expected.All(k => s.GetValueOrDefault(k) == "completed"), TimeSpan.FromSeconds(90), "every acknowledged job to complete on the new primary");
        var runs = rig.RunsByKey();
        var ranAgain = runs.Count(p => p.Value > 1);

        output.WriteLine($"{(synchronous ? "synchronous" : "asynchronous")} replication: {rig.Acknowledged.Count} enqueues acknowledged, " +
            $"{rig.Unavailable} answers 503 (retried), first enqueue acknowledged {firstAcknowledged.TotalSeconds:0.0} s after the promotion, " +
            $"20 new jobs completed {carriedOnAfter.TotalSeconds:0.0} s after it (killed at {killedAt.TotalSeconds:0.0} s, promoted at {promotedAt.TotalSeconds:0.0} s); " +
            $"lost: {lostEnqueues.Count} acknowledged enqueues, {lostOutcomes.Count} outcomes of {completedBefore.Count}; " +
            $"{ranAgain} jobs ran more than once. Unexpected answers: {rig.Unexpected.Count} {string.Join(" | ", rig.Unexpected.Take(3))}");

        Assert.True(rig.Unexpected.IsEmpty, string.Join('\n', rig.Unexpected.Take(10)) + "\n" + rig.Logs());
        Assert.True(rig.Unavailable > 0, "no request met the failover: the test proved nothing");
        Assert.True(carriedOnAfter <= CarryOnWithin, $"the service and workers took {carriedOnAfter.TotalSeconds:0.0} s to carry on\n{rig.Logs()}");
        Assert.All(rig.Workers, w => Assert.False(w!.HasExited, rig.Logs()));
        Assert.False(rig.Service.HasExited, rig.Logs());
        // Exactly one job per acknowledged key, with the id its reply gave, and nothing stored that was not acknowledged.
        Assert.Equal(expected.Order(StringComparer.Ordinal), final.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, k => Assert.True(runs.GetValueOrDefault(k) >= 1, $"{k} completed without running"));
        if (synchronous)
        {
            Assert.Empty(lostEnqueues);
            Assert.Empty(lostOutcomes);
        }
    }

    /// <summary>Each job's idempotency key and status, read by a session of the test's own.</summary>
    private static async Task<Dictionary<string, string>> StatesAsync(string connectionString)
    {
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT idempotency_key, status FROM leora.jobs WHERE idempotency_key IS NOT NULL", c);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) states[r.GetString(0)] = r.GetString(1);
        return states;
    }
}
