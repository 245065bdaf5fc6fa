using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The moving parts of the failover test and the chaos soaks, all real processes: one <c>leora-jobs serve</c> (API only)
/// and some <c>leora-jobs work</c> processes on one database; a webhook receiver that every job calls, so runs are
/// counted outside the database; and HTTP clients that enqueue at a fixed rate, each retrying a job with its own
/// idempotency key until it is acknowledged (what a careful client does after a 503).
/// </summary>
internal sealed class ChaosRig : IAsyncDisposable
{
    public const string Key = "chaos-test-key-5d1f7a90";

    private readonly string _directory;
    private readonly Dictionary<string, string?> _env;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ChaosRig(string directory, Dictionary<string, string?> env, WebhookReceiver receiver, LeoraJobsProcess service, int workers)
    {
        _directory = directory;
        _env = env;
        Receiver = receiver;
        Service = service;
        Workers = new LeoraJobsProcess?[workers];
    }

    public WebhookReceiver Receiver { get; }
    public LeoraJobsProcess Service { get; }
    public LeoraJobsProcess?[] Workers { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Each acknowledged job: its key and the id the reply gave.</summary>
    public ConcurrentDictionary<string, long> Acknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>When (on <see cref="Elapsed"/>) each job was acknowledged.</summary>
    public ConcurrentDictionary<string, TimeSpan> AcknowledgedAt { get; } = new(StringComparer.Ordinal);

    /// <summary>Every acknowledged request: when it started (on <see cref="Elapsed"/>) and how long it took.</summary>
    public ConcurrentQueue<(TimeSpan Started, double Milliseconds)> Latencies { get; } = new();

    /// <summary>Answers that are neither an acknowledgement nor a 503 with Retry-After: each one is a failure.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    private int _unavailable;
    /// <summary>503 answers (the database away for a moment), each retried with the same key.</summary>
    public int Unavailable => _unavailable;

    /// <summary>Time since the rig started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// Starts the service (which migrates the database) and then <paramref name="workers"/> worker processes, with the
    /// database settings in <paramref name="database"/> (environment variables) and a short lease, so that jobs of a
    /// killed worker are rescued within seconds.
    /// </summary>
    public static async Task<ChaosRig> StartAsync(string directory, IReadOnlyDictionary<string, string> database, int workers, TimeSpan lease)
    {
        var env = database.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        env["JOB_PROCESSOR_API_KEY"] = Key;
        env["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1";
        env["Jobs__Lease"] = lease.ToString("c", CultureInfo.InvariantCulture);
        env["Jobs__Worker__Concurrency"] = "8";
        env["Jobs__Worker__PollInterval"] = "00:00:00.5";
        env["Jobs__Worker__NodeHeartbeatInterval"] = "00:00:02";
        env["Jobs__Worker__LeaderLease"] = "00:00:06";
        env["Jobs__Worker__ShutdownGrace"] = "00:00:05";
        env["Logging__LogLevel__Default"] = "Warning";
        var receiver = await WebhookReceiver.StartAsync();
        var service = await LeoraJobsProcess.StartAsync(directory, env, "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        var rig = new ChaosRig(directory, env, receiver, service, workers);
        rig.Http.BaseAddress = new Uri(await service.AddressAsync());
        rig.Http.DefaultRequestHeaders.Add("x-api-key", Key);
        for (var i = 0; i < workers; i++) await rig.StartWorkerAsync(i);
        return rig;
    }

    /// <summary>Starts worker <paramref name="index"/> (again, after a kill).</summary>
    public async Task StartWorkerAsync(int index) =>
        Workers[index] = await LeoraJobsProcess.StartAsync(_directory, _env, "work");

    /// <summary>SIGKILL to worker <paramref name="index"/>; its running jobs stay leased until the lease expires.</summary>
    public async Task KillWorkerAsync(int index)
    {
        if (Workers[index] is { } worker)
        {
            await worker.KillAsync();
            await worker.DisposeAsync();
            Workers[index] = null;
        }
    }

    /// <summary>Starts <paramref name="clients"/> clients that each enqueue <paramref name="perSecond"/> jobs a second until <see cref="StopClientsAsync"/>.</summary>
    public void StartClients(int clients, double perSecond, string prefix)
    {
        for (var c = 0; c < clients; c++)
        {
            var client = c;
            _clients.Add(Task.Run(() => ClientLoopAsync($"{prefix}-{client}", TimeSpan.FromSeconds(1 / perSecond))));
        }
    }

    /// <summary>Stops the clients; each finishes the job it is on (until acknowledged).</summary>
    public async Task StopClientsAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await Task.WhenAll(_clients).WithTimeout(TimeSpan.FromMinutes(3), "the clients to finish their last job");
    }

    private async Task ClientLoopAsync(string prefix, TimeSpan interval)
    {
        // A fixed rate: a slow answer delays this client's next job but never makes it send two at once.
        using var timer = new PeriodicTimer(interval);
        for (var n = 0; ; n++)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(_stop.Token)) return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await EnqueueUntilAcknowledgedAsync($"{prefix}-{n}");
        }
    }

    private async Task EnqueueUntilAcknowledgedAsync(string key)
    {
        var giveUp = Elapsed + TimeSpan.FromMinutes(2);
        while (true)
        {
            if (Elapsed > giveUp)
            {
                Unexpected.Enqueue($"{key}: never acknowledged");
                return;
            }
            var started = Elapsed;
            HttpResponseMessage response;
            try
            {
                response = await Http.PostAsJsonAsync("/api/jobs", new
                {
                    type = "webhook",
                    payload = new { url = Receiver.IpUrl($"/ok?k={key}"), method = "POST" },
                    idempotencyKey = key,
                });
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The service itself is never killed: no answer at all is a failure, not an outage.
                Unexpected.Enqueue($"{key}: {ex.GetType().Name} {ex.Message}");
                return;
            }
            using (response)
            {
                var took = (Elapsed - started).TotalMilliseconds;
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    var job = await response.Content.ReadFromJsonAsync<JsonElement>();
                    var id = job.GetProperty("id").GetInt64();
                    if (!Acknowledged.TryAdd(key, id) && Acknowledged[key] != id) Unexpected.Enqueue($"{key}: acknowledged as two jobs");
                    AcknowledgedAt.TryAdd(key, Elapsed);
                    Latencies.Enqueue((started, took));
                    return;
                }
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is { } after && after > TimeSpan.Zero)
                {
                    Interlocked.Increment(ref _unavailable);
                    // Retry-After says seconds; sooner here, to put more requests through the outage.
                    await Task.Delay(100);
                    continue;
                }
                Unexpected.Enqueue($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return;
            }
        }
    }

    /// <summary>How many times the receiver was called for each key (a job's handler runs).</summary>
    public Dictionary<string, int> RunsByKey() => Receiver.Requests
        .Select(r => r.Query.StartsWith("?k=", StringComparison.Ordinal) ? r.Query[3..] : null)
        .OfType<string>()
        .GroupBy(k => k, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The service's resident memory in KiB (VmRSS).</summary>
    public long ServiceRssKib()
    {
        foreach (var line in File.ReadLines($"/proc/{Service.Pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException("VmRSS not found");
    }

    /// <summary>What the processes logged, for a failure message.</summary>
    public string Logs() =>
        $"--- service\n{string.Join('\n', Service.Err.TakeLast(40))}\n" +
        string.Join('\n', Workers.Select((w, i) => w is null ? "" : $"--- worker {i}\n{string.Join('\n', w.Err.TakeLast(40))}"));

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        try { await Task.WhenAll(_clients).WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (Exception) { /* the test has failed already, or reported its figures: the processes must go regardless */ }
        foreach (var w in Workers) if (w is not null) await w.DisposeAsync();
        await Service.DisposeAsync();
        await Receiver.DisposeAsync();
        Http.Dispose();
        _stop.Dispose();
    }
}
