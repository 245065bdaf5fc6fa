namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Completed and failed-for-good jobs per bucket (<see cref="BucketSeconds"/>: 60 for <c>hour</c>, 3600 for <c>day</c> and
/// <c>week</c>), oldest first, empty buckets included; the last is the current, partial one (docs/http-api.md).
/// </summary>
public sealed record JobHistoryResponse(string Range, int BucketSeconds, IReadOnlyList<JobHistoryPoint> Points)
{
    /// <summary>The response for <paramref name="history"/>.</summary>
    public static JobHistoryResponse From(JobHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return new(history.Range.ToString().ToLowerInvariant(), (int)history.Bucket.TotalSeconds, history.Points);
    }
}
