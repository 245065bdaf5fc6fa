using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Maintenance;

/// <summary>A limit declared in code or configuration; <see cref="Source"/> names it in errors.</summary>
internal sealed record JobLimitDeclaration(JobLimit Limit, string Source);

/// <summary>
/// Writes the limits declared in code (<see cref="LeoraJobsBuilder.AddLimit(JobLimit)"/>, <see cref="JobTypeOptions.RateLimit"/>)
/// and configuration to the database when the host starts, after the migrations: the stored set becomes exactly this host's
/// (the last start wins), so every node enforces the same limits. Registered only when something is declared, so a host
/// without limits (a CLI command, an API-only service configured without them) leaves the stored set alone.
/// </summary>
internal sealed class LimitDeclarations(
    InstrumentedJobStore store, IEnumerable<JobLimitDeclaration> declarations, IOptions<JobsOptions> options, ILogger<LimitDeclarations> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A type or queue declared twice keeps the last declaration (configuration is read after code in the leora-jobs server).
        var limits = new Dictionary<(JobLimitScope, string), JobLimit>();
        foreach (var d in declarations) limits[(d.Limit.Scope, d.Limit.Name)] = d.Limit;
        // A declaration that limits nothing (configuration that names only a RatePeriod) removes that type's or queue's limit.
        foreach (var key in limits.Where(l => !l.Value.LimitsAnything).Select(l => l.Key).ToList()) limits.Remove(key);
        await store.LimitSetAsync([.. limits.Values], options.Value.EffectiveWorkerName, cancellationToken);
        foreach (var limit in limits.Values)
            Log.LimitDeclared(logger, JobLimit.ScopeName(limit.Scope), limit.Name, limit.Rate, limit.EffectiveRatePeriod, limit.Concurrency, limit.KeyConcurrency);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
