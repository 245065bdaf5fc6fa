// A worker process for the multi-process tests: drains jobs into a log file, or hangs inside a job until killed.
//   drain: --provider sqlite|postgresql --cs <connection string> [--schema s] --log <file> [--concurrency n] [--expect n]
//          runs the long-running worker; records each executed job id in the log; prints "ready" once it polls; exits
//          when nothing is pending, or with --expect once n jobs are completed, or with --until once that file exists.
//          [--progress n] prints "ran <count>" after every n-th job; [--lease-ms n] and [--rescue-ms n] shorten the lease
//          and the rescue interval (the workflow scale test kills a worker and waits for its jobs to come back).
//   hang:  same store arguments, [--lease-ms n]; processes one "mp_hang" job whose handler prints "started <id>" and never returns.
//   partition: same store arguments, --release <file>, [--lease-ms n]; processes one "mp_hang" job whose handler prints
//          "started <id>" and returns once the file exists, then prints "outcome <id> <JobOutcome>"; then processes jobs
//          until none is pending (recording each in --log) and prints "drained".
using Leora.Jobs;
using Leora.Jobs.TestWorker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var opts = Args.Parse(args);
var services = new ServiceCollection();
services.AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
services.AddSingleton(new ExecutionLog(opts.TryGet("log"), int.Parse(opts.TryGet("progress") ?? "0", System.Globalization.CultureInfo.InvariantCulture)));
services.AddSingleton(new ReleaseFile(opts.TryGet("release") ?? ""));
var builder = services.AddLeoraJobs(o =>
    {
        o.WorkerName = $"test-worker-{Environment.ProcessId}";
        if (opts.TryGet("lease-ms") is { } lease) o.Lease = TimeSpan.FromMilliseconds(int.Parse(lease, System.Globalization.CultureInfo.InvariantCulture));
    })
    .AddJob<MpNoopArgs, MpNoopHandler>()
    .AddWorker(o =>
    {
        o.Concurrency = int.Parse(opts.TryGet("concurrency") ?? "4", System.Globalization.CultureInfo.InvariantCulture);
        o.PollInterval = TimeSpan.FromMilliseconds(100);
        if (opts.TryGet("rescue-ms") is { } rescue) o.RescueInterval = TimeSpan.FromMilliseconds(int.Parse(rescue, System.Globalization.CultureInfo.InvariantCulture));
    })
    .AddJob<MpBatchDoneArgs, MpBatchDoneHandler>();
if (opts.Get("mode") == "partition") builder.AddJob<MpHangArgs, MpHeldHandler>();
else builder.AddJob<MpHangArgs, MpHangHandler>();
if (opts.Get("provider") == "postgresql") builder.UsePostgreSql(opts.Get("cs"), o => o.Schema = opts.Get("schema"));
else builder.UseSqlite(opts.Get("cs"));

await using var sp = services.BuildServiceProvider();
var client = sp.GetRequiredService<IJobClient>();
switch (opts.Get("mode"))
{
    case "drain":
    {
        var worker = sp.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        Console.WriteLine("ready");
        // With --expect N it waits for N completed jobs (the test enqueues once every worker is ready), otherwise for
        // an empty queue.
        var expect = opts.TryGet("expect") is { } e ? long.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        // With --until the test decides (it watches the database itself): no count over the jobs table every 100 ms.
        var until = opts.TryGet("until");
        while (true)
        {
            if (until is not null)
            {
                if (File.Exists(until)) break;
            }
            else
            {
                var counts = await client.CountByStatusAsync();
                if (expect is { } n ? counts[JobStatus.Completed] >= n : counts[JobStatus.Pending] == 0 && worker.RunningCount == 0) break;
            }
            await Task.Delay(100);
        }
        await worker.StopAsync(CancellationToken.None);
        sp.GetRequiredService<ExecutionLog>().Dispose();
        Console.WriteLine("drained");
        return 0;
    }
    case "hang":
    {
        var processor = sp.GetRequiredService<IJobProcessor>();
        await processor.ProcessOneAsync();
        return 3; // never reached: the test kills this process while the handler hangs
    }
    case "partition":
    {
        var processor = sp.GetRequiredService<IJobProcessor>();
        var report = await processor.ProcessOneAsync();
        Console.WriteLine($"outcome {report?.Id} {report?.Outcome}");
        while (await processor.ProcessOneAsync() is not null) { }
        sp.GetRequiredService<ExecutionLog>().Dispose();
        Console.WriteLine("drained");
        return 0;
    }
    default:
        Console.Error.WriteLine("unknown mode");
        return 2;
}
