using Xunit.Abstractions;

namespace Leora.Jobs.Server.Tests;

/// <summary>The chaos soak on PostgreSQL (its own cluster, restarted during the run).</summary>
public sealed class PostgreSqlChaosSoakTests(ITestOutputHelper output)
{
    [Fact]
    public Task Jobs_end_once_through_worker_kills_and_database_restarts_with_flat_memory_and_latency() => ChaosSoak.RunAsync("postgresql", output);
}
