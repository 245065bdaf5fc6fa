namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Settings of the jobs HTTP API. <c>AddLeoraJobsApi()</c> reads them from configuration:
/// <c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>, <c>Jobs:Api:MaxRequestBodyBytes</c>, <c>Jobs:Retention</c>.
/// </summary>
public sealed class LeoraJobsApiOptions
{
    /// <summary>
    /// The API keys accepted (all at once, for rotation). Empty means every protected request is refused (fail closed).
    /// Never logged. Defaults to <c>JOB_PROCESSOR_API_KEY</c> and the entries of <c>Jobs:ApiKeys</c>.
    /// </summary>
    public IList<string> ApiKeys { get; } = new List<string>();

    /// <summary>The largest request body accepted; larger ones get 413. Defaults to 256 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>The age used by <c>POST /api/jobs/cleanup</c> without <c>olderThanDays</c>. Defaults to 30 days.</summary>
    public TimeSpan DefaultCleanupAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most jobs <c>GET /api/jobs/process</c> lists. Defaults to 100.</summary>
    public int MaxPendingListed { get; set; } = 100;

    internal void Validate()
    {
        if (MaxRequestBodyBytes < 1024) throw new InvalidOperationException("Jobs:Api:MaxRequestBodyBytes must be at least 1024.");
        if (DefaultCleanupAge < TimeSpan.Zero) throw new InvalidOperationException("Jobs:Retention must not be negative.");
        if (MaxPendingListed is < 1 or > 1000) throw new InvalidOperationException("MaxPendingListed must be 1–1000.");
    }
}
