using System.ComponentModel.DataAnnotations;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Settings of the jobs HTTP API. <c>AddLeoraJobsApi()</c> binds them from configuration (<c>Jobs:Api</c>, and
/// <c>Jobs:Retention</c> for <see cref="DefaultCleanupAge"/>); the API keys themselves are read by the key ring
/// (<c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>). Validated at start by <see cref="LeoraJobsApiOptionsValidator"/>.
/// </summary>
public sealed class LeoraJobsApiOptions
{
    /// <summary>
    /// API keys accepted in addition to those in configuration (<c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>), all at
    /// once, for rotation. With no key at all every protected request is refused (fail closed). Never logged. Defaults to empty.
    /// </summary>
    public IList<string> ApiKeys { get; } = new List<string>();

    /// <summary>The largest request body accepted; larger ones get 413. At least 1024. Defaults to 256 KiB.</summary>
    [Range(1024, long.MaxValue, ErrorMessage = "Jobs:Api:MaxRequestBodyBytes must be at least 1024.")]
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>The age used by <c>POST /api/jobs/cleanup</c> without <c>olderThanDays</c>. Defaults to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", ErrorMessage = "Jobs:Retention must not be negative.")]
    public TimeSpan DefaultCleanupAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most jobs <c>GET /api/jobs/process</c> lists (1–1000). Defaults to 100.</summary>
    [Range(1, 1000, ErrorMessage = "MaxPendingListed must be 1–1000.")]
    public int MaxPendingListed { get; set; } = 100;
}
