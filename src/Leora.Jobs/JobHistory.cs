namespace Leora.Jobs;

/// <summary>
/// Throughput and failures over a <see cref="Range"/>, one point per <see cref="Bucket"/>, oldest first, empty buckets
/// included, the last one being the current (partial) minute or hour. Kept by the store in a bounded table as jobs finish
/// (docs/dashboard.md, "History"), never counted from the jobs table, so it survives the jobs' clean-up.
/// </summary>
public sealed record JobHistory(JobHistoryRange Range, TimeSpan Bucket, IReadOnlyList<JobHistoryPoint> Points)
{
    /// <summary>The bucket size (a minute or an hour) and the number of buckets of <paramref name="range"/>.</summary>
    internal static (TimeSpan Bucket, int Count) Shape(JobHistoryRange range) => range switch
    {
        JobHistoryRange.Hour => (TimeSpan.FromMinutes(1), 60),
        JobHistoryRange.Day => (TimeSpan.FromHours(1), 24),
        JobHistoryRange.Week => (TimeSpan.FromHours(1), 168),
        _ => throw new ArgumentOutOfRangeException(nameof(range)),
    };

    /// <summary>
    /// Builds the history of <paramref name="range"/> ending with the bucket that holds <paramref name="now"/>, from the
    /// per-bucket sums a store found (keyed by Unix minute / bucket minutes).
    /// </summary>
    internal static JobHistory Fill(JobHistoryRange range, DateTimeOffset now, IReadOnlyDictionary<long, (long Completed, long Failed)> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var (bucket, count) = Shape(range);
        var per = (long)bucket.TotalMinutes;
        var last = now.ToUnixTimeMilliseconds() / 60000 / per;
        var points = new List<JobHistoryPoint>(count);
        for (var b = last - count + 1; b <= last; b++)
        {
            found.TryGetValue(b, out var v);
            points.Add(new JobHistoryPoint(DateTimeOffset.FromUnixTimeMilliseconds(b * per * 60000), v.Completed, v.Failed));
        }
        return new JobHistory(range, bucket, points);
    }

    /// <summary>The first Unix minute of <paramref name="range"/>'s first bucket, and the bucket size in minutes.</summary>
    internal static (long FirstMinute, long PerBucket) Window(JobHistoryRange range, DateTimeOffset now)
    {
        var (bucket, count) = Shape(range);
        var per = (long)bucket.TotalMinutes;
        var last = now.ToUnixTimeMilliseconds() / 60000 / per;
        return ((last - count + 1) * per, per);
    }
}
