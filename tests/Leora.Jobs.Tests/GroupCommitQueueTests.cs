using System.Collections.Concurrent;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Tests;

/// <summary>The shared group-commit queue (JobCompleter, SQLite single enqueues), driven directly with a fake writer.</summary>
public sealed class GroupCommitQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A writer that records each group and holds the first until released; answers each item with item × 10.</summary>
    private sealed class GatedWriter
    {
        private readonly TaskCompletionSource _firstGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentQueue<int[]> Groups { get; } = new();
        public Func<int[], Exception?> Throw { get; init; } = _ => null;
        public Func<int, Exception?> FailItem { get; init; } = _ => null;

        public void Release() => _firstGate.TrySetResult();

        public async Task WriteAsync(IReadOnlyList<GroupCommitQueue<int, int>.Entry> group)
        {
            var items = group.Select(e => e.Item).ToArray();
            var first = Groups.IsEmpty;
            Groups.Enqueue(items);
            if (first) await _firstGate.Task;
            else await Task.Yield();
            if (Throw(items) is { } error) throw error;
            foreach (var entry in group)
            {
                if (FailItem(entry.Item) is { } itemError) entry.TrySetException(itemError);
                else entry.TrySetResult(entry.Item * 10);
            }
        }
    }

    [Fact]
    public async Task Writes_that_arrive_during_a_write_go_together_in_one_group_and_each_caller_gets_its_own_result()
    {
        var writer = new GatedWriter();
        var queue = new GroupCommitQueue<int, int>(100, leadWritesInline: true, writer.WriteAsync);

        var lead = queue.WriteAsync(1, CancellationToken.None);
        Assert.True(queue.Writing);
        Assert.Equal(0, queue.QueuedCount);
        var followers = Enumerable.Range(2, 5).Select(i => queue.WriteAsync(i, CancellationToken.None)).ToArray();
        Assert.Equal(5, queue.QueuedCount);
        Assert.False(lead.IsCompleted);

        writer.Release();
        Assert.Equal(10, await lead.WithTimeout(Wait, "the lead"));
        var results = await Task.WhenAll(followers).WithTimeout(Wait, "the group");

        Assert.Equal(new[] { 20, 30, 40, 50, 60 }, results);
        Assert.Equal(new int[][] { [1], [2, 3, 4, 5, 6] }, writer.Groups.ToArray());
        await Eventually.WaitAsync(() => Task.FromResult(!queue.Writing), Wait, "the writer's role to be given up");
    }

    [Fact]
    public async Task A_group_is_capped_at_its_size()
    {
        var writer = new GatedWriter();
        var queue = new GroupCommitQueue<int, int>(2, leadWritesInline: true, writer.WriteAsync);
        var lead = queue.WriteAsync(1, CancellationToken.None);
        var followers = Enumerable.Range(2, 5).Select(i => queue.WriteAsync(i, CancellationToken.None)).ToArray();
        writer.Release();
        await Task.WhenAll([lead, .. followers]).WithTimeout(Wait, "every write");
        Assert.Equal(new int[][] { [1], [2, 3], [4, 5], [6] }, writer.Groups.ToArray());
    }

    [Fact]
    public async Task An_error_of_the_group_write_reaches_every_caller_of_that_group_and_only_them()
    {
        var sunk = new InvalidOperationException("disk full");
        var writer = new GatedWriter { Throw = items => items.Contains(3) ? sunk : null };
        var queue = new GroupCommitQueue<int, int>(100, leadWritesInline: true, writer.WriteAsync);

        var lead = queue.WriteAsync(1, CancellationToken.None);
        var group = new[] { 2, 3, 4 }.Select(i => queue.WriteAsync(i, CancellationToken.None)).ToArray();
        writer.Release();

        Assert.Equal(10, await lead.WithTimeout(Wait, "the lead"));
        foreach (var task in group)
            Assert.Same(sunk, await Assert.ThrowsAsync<InvalidOperationException>(() => task.WithTimeout(Wait, "a failed write")));
        // The queue goes on: the next write is a group of its own and succeeds.
        Assert.Equal(50, await queue.WriteAsync(5, CancellationToken.None).WithTimeout(Wait, "a later write"));
    }

    [Fact]
    public async Task An_item_the_writer_fails_alone_fails_only_its_caller()
    {
        var writer = new GatedWriter { FailItem = i => i == 3 ? new ArgumentException("bad row") : null };
        var queue = new GroupCommitQueue<int, int>(100, leadWritesInline: true, writer.WriteAsync);
        var lead = queue.WriteAsync(1, CancellationToken.None);
        var group = new[] { 2, 3, 4 }.Select(i => queue.WriteAsync(i, CancellationToken.None)).ToArray();
        writer.Release();

        await Assert.ThrowsAsync<ArgumentException>(() => group[1].WithTimeout(Wait, "the bad row"));
        Assert.Equal(20, await group[0].WithTimeout(Wait, "a good row"));
        Assert.Equal(40, await group[2].WithTimeout(Wait, "a good row"));
        Assert.Equal(10, await lead);
        Assert.Equal(2, writer.Groups.Count);
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_queued_is_withdrawn_and_its_item_never_written()
    {
        var writer = new GatedWriter();
        var queue = new GroupCommitQueue<int, int>(100, leadWritesInline: true, writer.WriteAsync);
        var lead = queue.WriteAsync(1, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var withdrawn = queue.WriteAsync(2, cts.Token);
        var kept = queue.WriteAsync(3, CancellationToken.None);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WithTimeout(Wait, "the withdrawn write"));
        Assert.Equal(1, queue.QueuedCount);
        writer.Release();

        Assert.Equal(30, await kept.WithTimeout(Wait, "the kept write"));
        Assert.Equal(10, await lead);
        Assert.Equal(new int[][] { [1], [3] }, writer.Groups.ToArray());
    }

    [Fact]
    public async Task A_writer_that_forgets_an_entry_does_not_leave_its_caller_waiting()
    {
        var queue = new GroupCommitQueue<int, int>(100, leadWritesInline: true, _ => Task.CompletedTask);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.WriteAsync(1, CancellationToken.None).WithTimeout(Wait, "the forgotten write"));
    }

    [Fact]
    public async Task Without_inline_writes_the_lead_is_written_on_the_thread_pool_and_its_caller_returns_at_once()
    {
        var writer = new GatedWriter();
        var queue = new GroupCommitQueue<int, int>(100, leadWritesInline: false, writer.WriteAsync);
        var lead = queue.WriteAsync(1, CancellationToken.None);
        var follower = queue.WriteAsync(2, CancellationToken.None);
        Assert.False(lead.IsCompleted);
        await Eventually.WaitAsync(() => Task.FromResult(writer.Groups.Count), n => n >= 1, Wait, "the first group to be taken");
        writer.Release();
        Assert.Equal(10, await lead.WithTimeout(Wait, "the lead"));
        Assert.Equal(20, await follower.WithTimeout(Wait, "the follower"));
        Assert.Equal(2, writer.Groups.Sum(g => g.Length));
    }
}
