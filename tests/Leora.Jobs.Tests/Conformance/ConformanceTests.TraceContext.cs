using System.Diagnostics;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Trace context: the W3C traceparent and tracestate of the enqueuing activity are stored with each job (issue 13).</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Every_enqueue_stores_the_callers_W3C_trace_context_and_a_claim_returns_it()
    {
        await using var h = await NewAsync();
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C);
        caller.TraceStateString = "leora=t61,other=x";
        caller.Start();
        var single = await h.Client.EnqueueAsync(new EchoArgs("traced"));
        var keyed = await h.Client.EnqueueAsync(new EchoArgs("keyed"), new EnqueueOptions { IdempotencyKey = "trace-key" });
        // 70 rows: SQLite writes the first 64 with its multi-row statement and the rest one by one.
        var many = await h.Client.EnqueueManyAsync(Enumerable.Range(0, 70).Select(i => new NoopArgs(i)));
        caller.Stop();
        Assert.Null(Activity.Current);
        var untraced = await h.Client.EnqueueAsync(new EchoArgs("untraced"));

        // The caller's trace: its own span, or the enqueue's producer span under it when a listener (another test
        // class, in parallel) records Leora.Jobs' spans.
        void InCallersTrace(string? traceParent)
        {
            Assert.NotNull(traceParent);
            Assert.True(ActivityContext.TryParse(traceParent, null, out var stored), traceParent);
            Assert.Equal(caller.TraceId, stored.TraceId);
        }
        var traced = new[] { single.Id, keyed.Id }.Concat(many.Select(m => m.Id)).ToList();
        foreach (var id in traced)
        {
            var row = await h.Store.JobGetAsync(id, CancellationToken.None);
            Assert.NotNull(row);
            InCallersTrace(row.TraceParent);
            Assert.Equal("leora=t61,other=x", row.TraceState);
        }
        // No caller's trace: none at all, or (when another test class listens) the root trace of its own producer span.
        var plain = await h.Store.JobGetAsync(untraced.Id, CancellationToken.None);
        Assert.DoesNotContain(caller.TraceId.ToHexString(), plain!.TraceParent ?? "");
        Assert.Null(plain.TraceState);

        var claimed = await h.Store.JobClaimAsync(new JobClaimParams(null, 100, TimeSpan.FromMinutes(5), "trace-test"), CancellationToken.None);
        Assert.Equal(traced.Count + 1, claimed.Count);
        Assert.All(claimed.Where(r => r.Id != untraced.Id), r => InCallersTrace(r.TraceParent));
        Assert.DoesNotContain(caller.TraceId.ToHexString(), Assert.Single(claimed, r => r.Id == untraced.Id).TraceParent ?? "");
    }

    [Fact]
    public async Task A_tracestate_that_W3C_would_not_propagate_is_dropped_and_the_traceparent_kept()
    {
        await using var h = await NewAsync();
        foreach (var state in new[] { new string('a', JobsTelemetry.MaxTraceStateLength + 1), "k=v\u00e9", "k=\0" })
        {
            using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C);
            caller.TraceStateString = state;
            caller.Start();
            var job = await h.Client.EnqueueAsync(new EchoArgs("state"));
            caller.Stop();
            var row = await h.Store.JobGetAsync(job.Id, CancellationToken.None);
            Assert.StartsWith($"00-{caller.TraceId}-", row!.TraceParent);
            Assert.Null(row.TraceState);
        }
    }
}
