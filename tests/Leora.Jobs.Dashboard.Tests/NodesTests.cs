using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The nodes panel's data with a real worker running in the host.</summary>
public sealed class NodesTests
{
    [Fact]
    public async Task This_process_shows_its_worker_and_the_job_it_is_running()
    {
        await using var host = await DashboardHost.StartAsync(workerConcurrency: 3);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Dashboard };
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/signin") { Content = JsonContent.Create(new { key = host.ReadOnlyKey }) })
        {
            request.Headers.Add(session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString());
            using var signIn = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        }

        var id = (await host.Client.EnqueueAsync(new GateArgs("nodes"))).Id;
        await host.Gate.Started.Task.WithTimeout(TimeSpan.FromSeconds(15), "the worker to start the gated job");
        var nodes = await Eventually.WaitAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes"),
            n => n[0].GetProperty("running").GetArrayLength() == 1 && n[0].GetProperty("running")[0].GetProperty("progress").ValueKind == JsonValueKind.Number,
            TimeSpan.FromSeconds(15), "the running job and its progress on this node");
        var self = Assert.Single(nodes.EnumerateArray());
        Assert.Equal(DashboardHost.WorkerName, self.GetProperty("name").GetString());
        Assert.True(self.GetProperty("thisProcess").GetBoolean());
        Assert.True(self.GetProperty("working").GetBoolean());
        Assert.Equal(3, self.GetProperty("concurrency").GetInt32());
        var running = self.GetProperty("running")[0];
        Assert.Equal(id, running.GetProperty("id").GetInt64());
        Assert.Equal("gated_import", running.GetProperty("type").GetString());
        Assert.Equal(40, running.GetProperty("progress").GetInt32());

        host.Gate.Open.TrySetResult();
        await Eventually.WaitAsync(async () => (await host.Client.GetAsync(id))!.Status == JobStatus.Completed, TimeSpan.FromSeconds(15), "the job to complete");
        nodes = (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes");
        Assert.Equal(0, nodes[0].GetProperty("running").GetArrayLength());
    }
}
