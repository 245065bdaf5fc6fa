using System.Net;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The service on SQLite whose disk fills up for real: the database lives on a 4 MiB tmpfs (<see cref="TmpfsVolume"/>)
/// that the test fills with a file until the kernel answers ENOSPC.
/// </summary>
public sealed class DiskFullTests
{
    private static object Job(string queue, int bodyChars = 0) => new
    {
        type = "webhook",
        payload = new { url = "http://localhost:9/never-called", body = new string('x', bodyChars) },
        queue,
    };

    [Fact]
    public async Task A_full_disk_answers_507_readiness_says_disk_full_and_the_service_recovers_when_space_is_freed()
    {
        await using var volume = await TmpfsVolume.MountAsync(4 << 20);
        var database = Path.Combine(volume.Path, "jobs.db");
        await using var service = await LeoraService.StartAsync("sqlite", [$"--ConnectionStrings:Jobs=Data Source={database}"]);
        using var client = service.WithKey();
        using var anonymous = service.Anonymous();

        var kept = (await (await client.PostJsonAsync("/api/jobs", Job("before"))).ExpectAsync(HttpStatusCode.Created)).Long("id");
        await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);

        var filler = await volume.FillAsync();
        Assert.True(volume.FreeBytes < 64 * 1024, $"the volume still has {volume.FreeBytes} bytes free");

        // A job of about 200 KiB needs new pages in the WAL: the write fails for lack of space.
        var full = await client.PostJsonAsync("/api/jobs", Job("during", 200_000));
        var problem = await full.ProblemAsync(HttpStatusCode.InsufficientStorage);
        Assert.Equal("Insufficient storage", problem.Str("title"));
        Assert.Contains("disk is full", problem.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain(volume.Path, problem.ToString(), StringComparison.Ordinal);

        var notReady = await (await anonymous.GetAsync("/health/ready")).ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("disk-full", notReady.GetProperty("checks").Str("database"));
        Assert.Contains("disk is full", notReady.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain("not reachable", notReady.Str("detail"), StringComparison.Ordinal);

        // Nothing of the failed request was stored, and what was stored before still reads.
        var listed = await (await client.GetAsync("/api/jobs")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([kept], listed.GetProperty("items").EnumerateArray().Select(j => j.Long("id")).ToArray());

        File.Delete(filler);
        await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        var after = await (await client.PostJsonAsync("/api/jobs", Job("after", 200_000))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("after", after.Str("queue"));
        Assert.Equal(2, (await (await client.GetAsync("/api/jobs")).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        await using var check = new SqliteConnection($"Data Source={database};Pooling=false");
        await check.OpenAsync();
        await using var integrity = check.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await integrity.ExecuteScalarAsync());
    }
}
