using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The overview's red/amber/green rules, with a fake clock for the backlog trend.</summary>
public sealed class DashboardHealthTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly DashboardHealth _health;

    public DashboardHealthTests() => _health = new DashboardHealth(Options.Create(new JobsDashboardOptions()), _time);

    private JobStats Stats(long due = 0, TimeSpan? oldest = null) => new()
    {
        ByStatus = new Dictionary<JobStatus, long>(),
        ByType = new Dictionary<string, IReadOnlyDictionary<JobStatus, long>>(),
        ByQueue = new Dictionary<string, IReadOnlyDictionary<JobStatus, long>>(),
        DuePending = due,
        Scheduled = 0,
        CompletedLastMinute = 0,
        FailedLastMinute = 0,
        CompletedLastHour = 0,
        FailedLastHour = 0,
        OldestDuePendingAge = oldest,
        Now = _time.GetUtcNow(),
    };

    private static JobThroughputPoint[] Minutes(params (long Completed, long Failed)[] points) =>
        [.. points.Select((p, i) => new JobThroughputPoint(DateTimeOffset.UnixEpoch.AddMinutes(i), p.Completed, p.Failed))];

    [Fact]
    public void Quiet_queue_is_ok()
    {
        var h = _health.Judge(Stats(), Minutes((5, 0), (3, 0)));
        Assert.Equal("ok", h.State);
        Assert.Empty(h.Reasons);
    }

    [Fact]
    public void Failures_at_or_above_the_ratio_are_red_and_below_are_amber()
    {
        Assert.Equal("failing", _health.Judge(Stats(), Minutes((9, 0), (0, 1))).State);
        var amber = _health.Judge(Stats(), Minutes((10, 0), (10, 1)));
        Assert.Equal("warning", amber.State);
        Assert.Equal("1 of 21 finished jobs failed in the last 5 minutes.", Assert.Single(amber.Reasons));
        // Failures older than the 5-minute window do not count.
        Assert.Equal("ok", _health.Judge(Stats(), Minutes((0, 9), (1, 0), (1, 0), (1, 0), (1, 0), (1, 0))).State);
    }

    [Fact]
    public void An_old_due_job_is_amber_then_red()
    {
        Assert.Equal("ok", _health.Judge(Stats(1, TimeSpan.FromMinutes(1)), []).State);
        Assert.Equal("warning", _health.Judge(Stats(1, TimeSpan.FromMinutes(3)), []).State);
        var red = _health.Judge(Stats(1, TimeSpan.FromMinutes(6)), []);
        Assert.Equal("failing", red.State);
        Assert.Equal("The oldest due job has waited 6 min (alert at 5 min).", Assert.Single(red.Reasons));
    }

    [Fact]
    public void A_backlog_that_keeps_growing_is_red_and_one_that_shrinks_is_not()
    {
        foreach (var due in new long[] { 100, 120, 140, 160, 180, 200, 220, 240 })
        {
            Assert.Equal("ok", _health.Judge(Stats(due, TimeSpan.FromSeconds(5)), []).State);
            _time.Advance(TimeSpan.FromSeconds(15));
        }
        // Two minutes of samples that never shrank: red.
        var red = _health.Judge(Stats(260, TimeSpan.FromSeconds(5)), []);
        Assert.Equal("failing", red.State);
        Assert.Equal("The due backlog grew from 100 to 260 in 2 min.", Assert.Single(red.Reasons));

        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("ok", _health.Judge(Stats(50, TimeSpan.FromSeconds(5)), []).State);
    }
}
