using System.Globalization;
using Leora.Jobs.AspNetCore;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// Judges the queue's health for the overview's red/amber/green state: red when a large share of recent attempts
/// failed, when the oldest due job has waited past <see cref="JobsDashboardOptions.BacklogAlertAge"/>, or when the
/// due backlog keeps growing; amber for any recent failure or a backlog at half the alert age. Keeps a few samples
/// of the backlog in memory (one per 15 s, 10 minutes) to see growth without another query.
/// </summary>
internal sealed class DashboardHealth(IOptions<JobsDashboardOptions> options, TimeProvider time)
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(15);
    private const int MaxSamples = 40;
    private const int FailureWindowMinutes = 5;
    private readonly Lock _lock = new();
    private readonly Queue<(DateTimeOffset At, long Due)> _samples = new();

    public HealthDto Judge(JobStats stats, IReadOnlyList<JobThroughputPoint> recent)
    {
        var o = options.Value;
        var red = new List<string>();
        var amber = new List<string>();

        var window = recent.TakeLast(FailureWindowMinutes).ToList();
        long failed = window.Sum(p => p.Failed), finished = window.Sum(p => p.Completed + p.Failed);
        if (failed > 0)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{failed} of {finished} finished jobs failed in the last {FailureWindowMinutes} minutes.");
            (failed >= o.FailureAlertRatio * finished ? red : amber).Add(text);
        }

        if (stats.OldestDuePendingAge is { } age)
        {
            var text = $"The oldest due job has waited {DurationText.Describe(age)} (alert at {DurationText.Describe(o.BacklogAlertAge)}).";
            if (age > o.BacklogAlertAge) red.Add(text);
            else if (age > o.BacklogAlertAge / 2) amber.Add(text);
        }

        if (Growing(stats.DuePending) is { } growth) red.Add(growth);

        return red.Count > 0 ? new HealthDto("failing", [.. red, .. amber])
            : amber.Count > 0 ? new HealthDto("warning", amber)
            : new HealthDto("ok", []);
    }

    // Growing: over at least two minutes of samples the due backlog never shrank and grew by at least half (and by 10 or more).
    private string? Growing(long due)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_samples.Count == 0 || now - _samples.Last().At >= SampleEvery)
            {
                _samples.Enqueue((now, due));
                while (_samples.Count > MaxSamples) _samples.Dequeue();
            }
            if (_samples.Count < 3) return null;
            var list = _samples.ToList();
            var first = list[0];
            var span = now - first.At;
            if (span < TimeSpan.FromMinutes(2)) return null;
            for (var i = 1; i < list.Count; i++)
                if (list[i].Due < list[i - 1].Due) return null;
            var last = list[^1].Due;
            if (last - first.Due < Math.Max(10, first.Due / 2)) return null;
            return string.Create(CultureInfo.InvariantCulture, $"The due backlog grew from {first.Due} to {last} in {DurationText.Describe(span)}.");
        }
    }
}
