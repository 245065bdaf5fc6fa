namespace Leora.Jobs.Tests;

/// <summary>
/// The one conformance suite: every store must pass every test here (STYLE.md 14). One partial file per area, as
/// River's <c>riverdrivertest</c> has: store-level areas (enqueue, claim, complete, fail and retry, heartbeat, rescue,
/// cancel and delete, list and stats, nodes and leader, migrations) and the full-stack ones (batch, worker). Each
/// store runs all of them through one subclass (<see cref="SqliteConformanceTests"/>, <see cref="PostgreSqlConformanceTests"/>).
/// </summary>
public abstract partial class ConformanceTests
{
    protected abstract string Provider { get; }

    private Task<Harness> NewAsync(bool fakeTime = false, Action<LeoraJobsBuilder>? configure = null, Action<JobsOptions>? options = null) =>
        Harness.CreateAsync(Provider, fakeTime, configure, options);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
}
