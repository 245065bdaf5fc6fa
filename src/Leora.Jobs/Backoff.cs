namespace Leora.Jobs;

/// <summary>Retry delays.</summary>
public static class Backoff
{
    /// <summary>
    /// The default: 10 s × 2^(attempt−1), capped at 1 hour, with ±20% jitter so that jobs that failed together
    /// do not retry together.
    /// </summary>
    public static TimeSpan Exponential(int attempt) =>
        Exponential(attempt, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), 0.2);

    /// <summary>
    /// <paramref name="baseDelay"/> × 2^(attempt−1), capped at <paramref name="max"/>, with ±<paramref name="jitter"/>
    /// (a fraction, 0–1) of random spread.
    /// </summary>
    public static TimeSpan Exponential(int attempt, TimeSpan baseDelay, TimeSpan max, double jitter)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var raw = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        var spread = 1 + (jitter * ((Random.Shared.NextDouble() * 2) - 1));
        return TimeSpan.FromMilliseconds(Math.Max(0, raw * spread));
    }
}
