using System.ComponentModel.DataAnnotations;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Settings of the jobs HTTP API. <c>AddLeoraJobsApi()</c> binds them from configuration (<c>Jobs:Api</c>, and
/// <c>Jobs:Retention</c> for <see cref="DefaultCleanupAge"/>); the API keys themselves are read by the key ring
/// (<c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>). Validated at start by <see cref="LeoraJobsApiOptionsValidator"/>.
/// </summary>
public sealed class LeoraJobsApiOptions : IValidatableObject
{
    /// <summary>
    /// API keys accepted in addition to those in configuration (<c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>), all at
    /// once, for rotation. With no key at all every protected request is refused (fail closed). Never logged. Defaults to empty.
    /// </summary>
    public IList<string> ApiKeys { get; } = new List<string>();

    /// <summary>The largest request body accepted; larger ones get 413. At least 1024. Defaults to 256 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The largest body of <c>POST /api/jobs/bulk</c> (up to 1,000 jobs); larger ones get 413. At least 1024. Defaults to 8 MiB.
    /// </summary>
    public long MaxBulkRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The age used by <c>POST /api/jobs/cleanup</c> without <c>olderThanDays</c>. Defaults to 30 days.</summary>
    public TimeSpan DefaultCleanupAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most jobs <c>GET /api/jobs/process</c> lists (1–1000). Defaults to 100.</summary>
    public int MaxPendingListed { get; set; } = 100;

    // Ranges are checked here, not with [Range]: the source-generated copy of RangeAttribute drops ErrorMessage
    // (dotnet/runtime#123137), and the message must name the setting.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MaxRequestBodyBytes < 1024) yield return new("Jobs:Api:MaxRequestBodyBytes must be at least 1024.");
        if (MaxBulkRequestBodyBytes < 1024) yield return new("Jobs:Api:MaxBulkRequestBodyBytes must be at least 1024.");
        if (DefaultCleanupAge < TimeSpan.Zero) yield return new("Jobs:Retention must not be negative.");
        if (MaxPendingListed is < 1 or > 1000) yield return new("MaxPendingListed must be 1–1000.");
    }
}
