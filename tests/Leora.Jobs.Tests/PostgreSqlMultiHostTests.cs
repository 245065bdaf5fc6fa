using System.Net;
using System.Net.Sockets;
using Leora.Jobs.PostgreSql;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// A connection string that names several hosts (<c>Host=db1,db2;Target Session Attributes=primary</c>) while no host is
/// the primary — a failover between the primary's death and the standby's promotion — makes the store say "database
/// unavailable" (the API's 503, the CLI's retry), not throw the driver's error (a 500). FailoverTests shows it end to end.
/// </summary>
public sealed class PostgreSqlMultiHostTests
{
    private static JobInsertParams Job() => new("noop", "default", """{"n":1}""", 0, 3, null, null, "multi-host");

    [Fact]
    public async Task No_suitable_host_among_live_hosts_is_unavailable()
    {
        // The test server is a primary: asked for a standby, Npgsql finds no suitable host, with no failure inside —
        // what a store asking for the primary sees while the old primary is known to be down and the standby not yet promoted.
        // Two names of the one live server: a multi-host data source, every host up, none suitable.
        var b = new NpgsqlConnectionStringBuilder(TestPostgres.Require());
        b.Host = $"{b.Host}:{b.Port},localhost:{b.Port}";
        b.TargetSessionAttributes = "standby";
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = b.ConnectionString }, TimeProvider.System);
        var error = await Assert.ThrowsAsync<JobStoreUnavailableException>(() => store.JobInsertAsync(Job(), null, CancellationToken.None));
        Assert.IsType<NpgsqlException>(error.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task Every_host_refusing_connections_is_unavailable()
    {
        var b = new NpgsqlConnectionStringBuilder(TestPostgres.Require()) { TargetSessionAttributes = "primary", Timeout = 5 };
        b.Host = $"127.0.0.1:{ClosedPort()},127.0.0.1:{ClosedPort()}";
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = b.ConnectionString }, TimeProvider.System);
        await Assert.ThrowsAsync<JobStoreUnavailableException>(() => store.JobInsertAsync(Job(), null, CancellationToken.None));
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
