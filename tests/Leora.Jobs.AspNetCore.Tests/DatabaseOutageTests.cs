using System.Collections.Concurrent;
using System.Net;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// An error must never hide a success: enqueues over HTTP while the database goes away for a moment answer 2xx (the
/// reply comes from the insert itself) or 503 with Retry-After (retry), never 500; a client that retries with the same
/// idempotency key stores each job exactly once.
/// </summary>
public sealed class DatabaseOutageTests
{
    private const int Clients = 4;

    [Fact]
    public async Task Enqueues_through_a_postgresql_restart_and_killed_connections_answer_2xx_or_503_and_each_job_is_stored_once()
    {
        // A cluster of the test's own: restarting the shared one would disturb the other test classes.
        await using var cluster = await PostgresCluster.StartAsync();
        await using var service = await LeoraService.StartAsync("postgresql", postgresConnectionString: cluster.ConnectionString);
        using var client = service.WithKey();

        var acknowledged = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var unexpected = new ConcurrentQueue<string>();
        var unavailable = 0;
        using var stop = new CancellationTokenSource();

        async Task ClientLoopAsync(int c)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"outage-{c}-{n}";
                // The same job, with the same key, until it is acknowledged: what a careful client does after a 503.
                for (var tries = 0; ; tries++)
                {
                    if (tries > 2000) { unexpected.Enqueue($"{key}: never acknowledged"); return; }
                    using var response = await client.PostJsonAsync("/api/jobs", new
                    {
                        type = "webhook",
                        payload = new { url = "http://localhost:9/never-called" },
                        queue = "outage",
                        idempotencyKey = key,
                    });
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        var job = await response.JsonAsync();
                        Assert.Equal(key, job.Str("idempotencyKey"));
                        if (!acknowledged.TryAdd(key, job.Long("id")) && acknowledged[key] != job.Long("id"))
                            unexpected.Enqueue($"{key}: acknowledged as two jobs");
                        break;
                    }
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref unavailable);
                        var problem = await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
                        Assert.Equal("Database unavailable", problem.Str("title"));
                        Assert.True(response.Headers.RetryAfter?.Delta is { } after && after > TimeSpan.Zero, "a 503 without Retry-After");
                        // Retry-After says seconds; the test retries sooner, to put more requests through the outage.
                        await Task.Delay(50);
                        continue;
                    }
                    unexpected.Enqueue($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    break;
                }
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientLoopAsync(c))).ToArray();
        try
        {
            var wait = TimeSpan.FromSeconds(120);
            await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), n => n >= 50, wait, "50 jobs before the outages");

            // Every client connection killed by the server (57P01 on the service's pooled connections)…
            await using (var admin = new NpgsqlConnection(cluster.ConnectionString + ";Pooling=false"))
            {
                await admin.OpenAsync();
                await using var kill = new NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'", admin);
                await kill.ExecuteScalarAsync();
            }
            var afterKill = acknowledged.Count;
            await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), n => n >= afterKill + 50, wait, "50 more jobs after the connections were killed");

            // …then the server restarted under load: refused connections, 57P01 and 57P03 while it stops and starts.
            await cluster.RestartAsync();
            var afterRestart = acknowledged.Count;
            await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), n => n >= afterRestart + 50, wait, "50 more jobs after the restart");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients).WithTimeout(TimeSpan.FromSeconds(120), "the clients to finish their last job");
        }

        Assert.True(unexpected.IsEmpty, string.Join('\n', unexpected.Take(10)));
        Assert.True(unavailable > 0, "no request met the outages: the test proved nothing");

        // Every acknowledged job is there under its key, with the id the reply gave, and nothing else was stored.
        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var check = new NpgsqlConnection(cluster.ConnectionString + ";Pooling=false"))
        {
            await check.OpenAsync();
            await using var cmd = new NpgsqlCommand($"SELECT idempotency_key, id FROM \"{service.Database.Schema}\".jobs", check);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) Assert.True(stored.TryAdd(r.GetString(0), r.GetInt64(1)), $"two jobs with key {r.GetString(0)}");
        }
        Assert.Equal(acknowledged.OrderBy(p => p.Key, StringComparer.Ordinal), stored.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task On_sqlite_a_write_lock_held_past_the_busy_timeout_answers_503_with_retry_after_and_the_retry_is_stored_once()
    {
        await using var service = await LeoraService.StartAsync("sqlite", ["--Jobs:Sqlite:BusyTimeout=00:00:00.2"]);
        using var client = service.WithKey();
        var job = new { type = "webhook", payload = new { url = "http://localhost:9/never-called" }, idempotencyKey = "busy-1" };

        // Another process's long write transaction: it holds the file's write lock.
        await using (var other = new SqliteConnection($"Data Source={service.Database.Sqlite!.Path_};Pooling=false"))
        {
            await other.OpenAsync();
            await using var tx = other.BeginTransaction(deferred: false);
            var busy = await client.PostJsonAsync("/api/jobs", job);
            var problem = await busy.ProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("Database unavailable", problem.Str("title"));
            Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter?.Delta);
            Assert.DoesNotContain(service.Database.Sqlite.Path_, problem.ToString(), StringComparison.Ordinal);
            await tx.RollbackAsync();
        }

        var stored = await (await client.PostJsonAsync("/api/jobs", job)).ExpectAsync(HttpStatusCode.Created);
        var again = await (await client.PostJsonAsync("/api/jobs", job)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(stored.Long("id"), again.Long("id"));
        var listed = await (await client.GetAsync("/api/jobs")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, listed.GetProperty("items").GetArrayLength());
    }
}
