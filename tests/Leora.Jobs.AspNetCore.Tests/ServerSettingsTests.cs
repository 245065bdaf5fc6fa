using Leora.Jobs.PostgreSql;
using Leora.Jobs.Server;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>The scale-out settings of docs/configuration.md reach the worker.</summary>
public sealed class ServerSettingsTests
{
    [Fact]
    public void Worker_scale_out_settings_are_read_from_configuration()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jobs:Worker:FetchCooldown"] = "20ms",
            ["Jobs:Worker:NodeHeartbeatInterval"] = "3s",
            ["Jobs:Worker:LeaderLease"] = "12s",
            ["Jobs:PostgreSql:Listen"] = "false",
        }).Build();
        var settings = ServerSettings.Read(config);
        var postgres = new PostgreSqlJobStoreOptions();
        ConfigurationBinding.Bind(config, "Jobs:PostgreSql", postgres);
        Assert.False(postgres.Listen);

        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        JobsServices.Add(services, settings, worker: true, config);
        using var sp = services.BuildServiceProvider();
        var worker = sp.GetRequiredService<IOptions<JobWorkerOptions>>().Value;
        Assert.Equal(TimeSpan.FromMilliseconds(20), worker.FetchCooldown);
        Assert.Equal(TimeSpan.FromSeconds(3), worker.NodeHeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(12), worker.LeaderLease);
    }

    [Fact]
    public async Task A_stop_may_last_the_shutdown_grace_and_a_margin_to_hand_back_jobs_and_answer_a_batch()
    {
        await using var database = TestDatabase.Create("sqlite");
        var (app, _) = ServerHost.BuildWebApp(["--urls=http://127.0.0.1:0", "--Jobs:Worker:ShutdownGrace=45s", .. database.ServerArguments()]);
        await using (app)
        {
            // The host's own default (30 s) would end the stop when the grace ends: no time to hand back or answer.
            Assert.Equal(TimeSpan.FromSeconds(45) + ServerHost.ShutdownMargin, app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        }
    }
}
