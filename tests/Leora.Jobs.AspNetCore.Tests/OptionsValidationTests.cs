using Leora.Jobs.Server;
using Leora.Jobs.TestSupport;
using Leora.Jobs.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>Every options class is bound from its documented section and validated at start, with a message naming the setting.</summary>
public sealed class OptionsValidationTests
{
    private static IServiceProvider Services(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        JobsServices.Add(services, ServerSettings.Read(config), worker: true, config);
        return services.BuildServiceProvider();
    }

    private static string Failure(Dictionary<string, string?> settings) =>
        Assert.Throws<OptionsValidationException>(() => Services(settings).GetRequiredService<IStartupValidator>().Validate()).Message;

    [Fact]
    public void Documented_keys_reach_their_options_in_the_documented_forms()
    {
        var sp = Services(new()
        {
            ["Jobs:Lease"] = "10m",
            ["Jobs:HeartbeatInterval"] = "00:01:00",
            ["Jobs:DefaultMaxAttempts"] = "7",
            ["Jobs:DefaultQueue"] = "main",
            ["Jobs:BatchConcurrency"] = "6",
            ["Jobs:WorkerName"] = "node-a",
            ["Jobs:MigrateOnStart"] = "false",
            ["Jobs:Worker:Concurrency"] = "9",
            ["Jobs:Worker:Queues:hooks"] = "16",
            ["Jobs:Worker:PollInterval"] = "250ms",
            ["Jobs:Worker:ShutdownGrace"] = "1m",
            ["Jobs:Webhook:AllowedHosts"] = "crm.internal, 10.0.4.17",
            ["Jobs:Webhook:MaxRedirects"] = "2",
            ["Jobs:Webhook:DefaultTimeout"] = "45s",
        });
        sp.GetRequiredService<IStartupValidator>().Validate();
        var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(10), jobs.Lease);
        Assert.Equal(TimeSpan.FromMinutes(1), jobs.HeartbeatInterval);
        Assert.Equal(7, jobs.DefaultMaxAttempts);
        Assert.Equal("main", jobs.DefaultQueue);
        Assert.Equal(6, jobs.BatchConcurrency);
        Assert.Equal("node-a", jobs.WorkerName);
        Assert.False(jobs.MigrateOnStart);
        var worker = sp.GetRequiredService<IOptions<JobWorkerOptions>>().Value;
        Assert.Equal(9, worker.Concurrency);
        Assert.Equal(16, worker.Queues["hooks"]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), worker.PollInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), worker.ShutdownGrace);
        var webhook = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
        Assert.Equal(["crm.internal", "10.0.4.17"], webhook.AllowedHosts);
        Assert.Equal(2, webhook.MaxRedirects);
        Assert.Equal(TimeSpan.FromSeconds(45), webhook.DefaultTimeout);
    }

    [Fact]
    public void Empty_values_mean_not_set()
    {
        var sp = Services(new() { ["Jobs:DefaultQueue"] = "", ["Jobs:Lease"] = "", ["Jobs:Worker:Concurrency"] = "" });
        sp.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("default", sp.GetRequiredService<IOptions<JobsOptions>>().Value.DefaultQueue);
        Assert.Equal(4, sp.GetRequiredService<IOptions<JobWorkerOptions>>().Value.Concurrency);
    }

    [Theory]
    [InlineData("Jobs:Lease", "forever", "Jobs:Lease: 'forever' is not a duration")]
    [InlineData("Jobs:Lease", "0s", "Jobs:Lease must be at least 1 second.")]
    [InlineData("Jobs:Worker:Concurrency", "abc", "Jobs:Worker:Concurrency 'abc' is not a whole number.")]
    [InlineData("Jobs:Worker:Concurrency", "0", "Jobs:Worker:Concurrency must be a whole number from 1 to 1000.")]
    [InlineData("Jobs:Worker:Concurrency", "1001", "Jobs:Worker:Concurrency must be a whole number from 1 to 1000.")]
    [InlineData("Jobs:Worker:Queues:hooks", "0", "Jobs:Worker:Queues:hooks must be a whole number from 1 to 1000.")]
    [InlineData("Jobs:Worker:Queues:hooks", "many", "Jobs:Worker:Queues:hooks 'many' is not a whole number.")]
    [InlineData("Jobs:MigrateOnStart", "maybe", "Jobs:MigrateOnStart 'maybe' is not true or false.")]
    [InlineData("Jobs:DefaultQueue", "no spaces", "Jobs:DefaultQueue 'no spaces' is not a valid queue name.")]
    [InlineData("Jobs:Webhook:MaxRedirects", "21", "Jobs:Webhook:MaxRedirects must be a whole number from 0 to 20.")]
    [InlineData("Jobs:Webhook:DefaultTimeout", "10m", "Jobs:Webhook:DefaultTimeout must be positive and at most 300 seconds.")]
    public void A_bad_value_fails_at_start_with_a_message_naming_the_setting(string key, string value, string message) =>
        Assert.Contains(message, Failure(new() { [key] = value }), StringComparison.Ordinal);

    [Fact]
    public void A_host_with_a_bad_option_does_not_start()
    {
        using var db = new TempSqlite();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLeoraJobs(o => o.Lease = TimeSpan.FromMilliseconds(10)).UseSqlite(db.ConnectionString);
        using var host = builder.Build();
        var ex = Assert.Throws<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        Assert.Contains("Jobs:Lease must be at least 1 second.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_api_reads_its_section_and_retention_and_refuses_a_small_body_limit()
    {
        static LeoraJobsApiOptions Api(Dictionary<string, string?> settings)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            services.AddLeoraJobsApi();
            return services.BuildServiceProvider().GetRequiredService<IOptions<LeoraJobsApiOptions>>().Value;
        }
        var api = Api(new() { ["Jobs:Api:MaxRequestBodyBytes"] = "4096", ["Jobs:Retention"] = "7d", ["Jobs:Api:ApiKeys:0"] = "not-a-key-source" });
        Assert.Equal(4096, api.MaxRequestBodyBytes);
        Assert.Equal(TimeSpan.FromDays(7), api.DefaultCleanupAge);
        Assert.Empty(api.ApiKeys);
        Assert.Equal(TimeSpan.FromDays(30), Api(new() { ["Jobs:Retention"] = "off" }).DefaultCleanupAge);
        var ex = Assert.Throws<OptionsValidationException>(() => Api(new() { ["Jobs:Api:MaxRequestBodyBytes"] = "1000" }));
        Assert.Contains("Jobs:Api:MaxRequestBodyBytes must be at least 1024.", ex.Message, StringComparison.Ordinal);
    }
}
