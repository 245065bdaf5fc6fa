using System.Net;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The service whose disk fills up for real. On SQLite the database lives on a 4 MiB tmpfs (<see cref="TmpfsVolume"/>)
/// that the test fills with a file until the kernel answers ENOSPC; on PostgreSQL the jobs table and its indexes move to
/// a tablespace on a 2 MiB tmpfs that the jobs themselves fill (SQLSTATE 53100, disk_full).
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

        // A read while the disk is full usually answers, but SQLite may need space for it too (its WAL index, rebuilt
        // after a process's connections were all closed, for one): then it is the same clear 507, never a generic 500.
        // One CI run out of many answered this read 507 (not reproduced in isolation); the issue asks for the clear
        // answer and for the data to be intact once space returns, both checked here.
        var whileFull = await client.GetAsync("/api/jobs");
        if (whileFull.StatusCode == HttpStatusCode.OK)
            Assert.Equal([kept], (await whileFull.ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(j => j.Long("id")).ToArray());
        else
            Assert.Contains("disk is full", (await whileFull.ProblemAsync(HttpStatusCode.InsufficientStorage)).Str("detail"), StringComparison.Ordinal);

        File.Delete(filler);
        await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        // Nothing of the failed request was stored, and what was stored before still reads.
        var listed = await (await client.GetAsync("/api/jobs")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([kept], listed.GetProperty("items").EnumerateArray().Select(j => j.Long("id")).ToArray());
        var after = await (await client.PostJsonAsync("/api/jobs", Job("after", 200_000))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("after", after.Str("queue"));
        Assert.Equal(2, (await (await client.GetAsync("/api/jobs")).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        await using var check = new SqliteConnection($"Data Source={database};Pooling=false");
        await check.OpenAsync();
        await using var integrity = check.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await integrity.ExecuteScalarAsync());
    }

    [Fact]
    public async Task On_postgresql_a_full_disk_answers_507_and_keeps_nothing_of_the_failed_write()
    {
        await using var volume = await TmpfsVolume.MountAsync(2 << 20, owner: "postgres");
        var tablespace = "leora_full_" + Guid.NewGuid().ToString("N")[..12];
        await using var service = await LeoraService.StartAsync("postgresql");
        await using var admin = new NpgsqlConnection(service.Database.ConnectionString);
        await admin.OpenAsync();
        try
        {
            await Sql(admin, $"CREATE TABLESPACE {tablespace} LOCATION '{volume.Path}'");
            await Sql(admin, $"ALTER TABLE {service.Database.Schema}.jobs SET TABLESPACE {tablespace}");
            await using (var indexes = admin.CreateCommand())
            {
                indexes.CommandText = $"SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '{service.Database.Schema}.jobs'::regclass";
                var names = new List<string>();
                await using (var r = await indexes.ExecuteReaderAsync()) while (await r.ReadAsync()) names.Add(r.GetString(0));
                foreach (var index in names) await Sql(admin, $"ALTER INDEX {index} SET TABLESPACE {tablespace}");
            }

            using var client = service.WithKey();
            var kept = (await (await client.PostJsonAsync("/api/jobs", Job("before"))).ExpectAsync(HttpStatusCode.Created)).Long("id");

            // Jobs of about 150 KB of text that does not compress fill the 2 MiB volume within a few dozen requests.
            HttpResponseMessage? full = null;
            var accepted = new List<long> { kept };
            for (var i = 0; i < 200 && full is null; i++)
            {
                var response = await client.PostJsonAsync("/api/jobs", Incompressible("during", 150_000));
                if (response.StatusCode == HttpStatusCode.Created) accepted.Add((await response.ExpectAsync(HttpStatusCode.Created)).Long("id"));
                else full = response;
            }
            Assert.NotNull(full);
            var problem = await full.ProblemAsync(HttpStatusCode.InsufficientStorage);
            Assert.Equal("Insufficient storage", problem.Str("title"));
            Assert.Contains("disk is full", problem.Str("detail"), StringComparison.Ordinal);
            Assert.DoesNotContain(volume.Path, problem.ToString(), StringComparison.Ordinal);

            // Every acknowledged job is there and reads; the refused one left no row.
            var listed = await (await client.GetAsync("/api/jobs?limit=500")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(accepted.Order().ToArray(), listed.GetProperty("items").EnumerateArray().Select(j => j.Long("id")).Order().ToArray());
        }
        finally
        {
            await Sql(admin, $"DROP SCHEMA IF EXISTS {service.Database.Schema} CASCADE");
            await Sql(admin, $"DROP TABLESPACE IF EXISTS {tablespace}");
        }

        static async Task Sql(NpgsqlConnection c, string sql)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private static object Incompressible(string queue, int bytes) => new
    {
        type = "webhook",
        payload = new { url = "http://localhost:9/never-called", body = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes * 3 / 4)) },
        queue,
    };
}
