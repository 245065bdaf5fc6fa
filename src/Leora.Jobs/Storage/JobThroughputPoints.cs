namespace Leora.Jobs.Storage;

/// <summary>Helpers for stores that build <see cref="JobThroughputPoint"/> series.</summary>
internal static class JobThroughputPoints
{
    /// <summary>One point per minute from <paramref name="firstMinute"/> to <paramref name="lastMinute"/> (Unix minutes), zero where nothing was found.</summary>
    public static IReadOnlyList<JobThroughputPoint> Fill(long firstMinute, long lastMinute, IReadOnlyDictionary<long, (long Completed, long Failed)> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var points = new List<JobThroughputPoint>((int)(lastMinute - firstMinute + 1));
        for (var m = firstMinute; m <= lastMinute; m++)
        {
            found.TryGetValue(m, out var v);
            points.Add(new JobThroughputPoint(DateTimeOffset.FromUnixTimeMilliseconds(m * 60000), v.Completed, v.Failed));
        }
        return points;
    }
}
