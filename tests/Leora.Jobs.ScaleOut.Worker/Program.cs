using System.Globalization;
using Leora.Jobs.ScaleOut.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

// A worker node for the scale-out tests: a generic host (SIGTERM stops it gracefully) running Leora's worker against
// one PostgreSQL schema. Each handler run is recorded in <schema>.runs (job id, pid) before the handler waits, so the
// tests can tell which jobs ran twice and in which process.
//   Leora.Jobs.ScaleOut.Worker <connection> <schema> <name> [handlerMs] [leaseMs] [heartbeatMs] [leaderLeaseMs]
var connection = args[0];
var schema = args[1];
var name = args[2];
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
var handlerMs = Arg(3, 5);
var leaseMs = Arg(4, 3000);
var nodeHeartbeatMs = Arg(5, 200);
var leaderLeaseMs = Arg(6, 1500);

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services.AddSingleton(NpgsqlDataSource.Create(connection));
builder.Services.AddSingleton(new RunRecorder.Settings(schema, handlerMs));
builder.Services.AddLeoraJobs(o =>
    {
        o.WorkerName = name;
        o.Lease = TimeSpan.FromMilliseconds(leaseMs);
        o.MigrateOnStart = false;
    })
    .UsePostgreSql(connection, o => o.Schema = schema)
    .AddJob<ScaleArgs, RunRecorder>(o => o.MaxAttempts = 10)
    .AddWorker(o =>
    {
        o.Concurrency = 16;
        o.PollInterval = TimeSpan.FromMilliseconds(500);
        o.RescueInterval = TimeSpan.FromMilliseconds(500);
        o.ShutdownGrace = TimeSpan.FromSeconds(10);
        o.NodeHeartbeatInterval = TimeSpan.FromMilliseconds(nodeHeartbeatMs);
        o.LeaderLease = TimeSpan.FromMilliseconds(leaderLeaseMs);
        o.Retention = TimeSpan.FromHours(1);
    });
using var host = builder.Build();
await host.StartAsync();
Console.Out.WriteLine("ready");
Console.Out.Flush();
await host.WaitForShutdownAsync();
return 0;
