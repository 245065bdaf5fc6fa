using Xunit.Abstractions;

namespace Leora.Jobs.Server.Tests;

/// <summary>The chaos soak on SQLite (three worker processes and the service on one file).</summary>
public sealed class SqliteChaosSoakTests(ITestOutputHelper output)
{
    [Fact]
    public Task Jobs_end_once_through_worker_kills_with_flat_memory_and_latency() => ChaosSoak.RunAsync("sqlite", output);
}
