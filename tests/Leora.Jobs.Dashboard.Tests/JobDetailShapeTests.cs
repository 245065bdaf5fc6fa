using System.Net.Http.Json;
using System.Text.Json;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// The job detail the dashboard's script reads is the API's job shape plus the view's timings; its members stay those
/// the script has always received, in the same order; new members come after them.
/// </summary>
public sealed class JobDetailShapeTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_job_detail_keeps_its_members_and_their_order()
    {
        var id = (await _host.Client.EnqueueAsync(new EchoArgs("shape"))).Id;
        using var client = await _host.SignedInClientAsync(_host.FullKey);

        var job = await client.GetFromJsonAsync<JsonElement>($"api/jobs/{id}");

        Assert.Equal(
        [
            "id", "type", "queue", "status", "scheduled", "priority", "attempts", "maxAttempts", "idempotencyKey", "progress",
            "progressMessage", "payload", "result", "errors", "worker", "lockedUntil", "cancelRequested", "createdAt", "runAt",
            "startedAt", "completedAt", "waitedMs", "ranMs", "now",
            // Added by the limits of issue 12 (the API's job shape carries it as an init-only member, after the others).
            "concurrencyKey",
        ], job.EnumerateObject().Select(p => p.Name));
        Assert.Equal("shape", job.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal("pending", job.GetProperty("status").GetString());
    }
}
