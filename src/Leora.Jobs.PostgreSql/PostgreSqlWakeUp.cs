using System.Diagnostics;
using Npgsql;

namespace Leora.Jobs.PostgreSql;

/// <summary>
/// Tells idle workers in other processes that jobs were enqueued: <c>pg_notify('leora_jobs', schema)</c>, sent after the
/// enqueue has committed and coalesced per process. At most one notification is in flight; requests that arrive while
/// one is being sent are folded into one more, sent as soon as it returns, so a burst of enqueues costs a few
/// notifications, not one each (and no more than one per 2 ms), and no enqueue is left without a notification sent
/// after its commit.
/// </summary>
/// <remarks>
/// A notification sent from the enqueuing transaction (a trigger) makes every enqueue hold PostgreSQL's global
/// notification lock through its commit's WAL flush, so concurrent enqueues commit one at a time. A transaction that
/// only notifies writes no WAL of its own and does not wait for a flush, so this costs a short round trip and no fsync.
/// A notification that cannot be sent (the database is down) is dropped: workers still poll, and the listener wakes
/// them once when it reconnects.
/// </remarks>
internal sealed class PostgreSqlWakeUp(NpgsqlDataSource dataSource, string schema)
{
    public const string Channel = "leora_jobs";
    public const string Sql = "SELECT pg_notify('" + Channel + "', @schema)";

    private static readonly TimeSpan MinSpacing = TimeSpan.FromMilliseconds(2);
    private const int Idle = 0, Sending = 1, SendingAndRequested = 2;
    private int _state;
    private long _lastSent;

    /// <summary>Asks for a notification to be sent after this moment. Returns at once.</summary>
    public void Request()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Idle:
                    if (Interlocked.CompareExchange(ref _state, Sending, Idle) != Idle) continue;
                    _ = Task.Run(SendLoopAsync, CancellationToken.None);
                    return;
                case Sending:
                    if (Interlocked.CompareExchange(ref _state, SendingAndRequested, Sending) != Sending) continue;
                    return;
                default:
                    return;
            }
        }
    }

    /// <summary>Adds the notification to a caller's transaction: PostgreSQL delivers it at that commit, or drops it on rollback.</summary>
    public async Task NotifyInAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(Sql, connection, transaction);
        cmd.Parameters.AddWithValue("schema", schema);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task SendLoopAsync()
    {
        while (true)
        {
            // At most one notification per MinSpacing: under a stream of enqueues the workers are busy and claim again
            // as soon as they finish, so more would only cost the database; an idle worker waits at most this long more.
            var wait = MinSpacing - Stopwatch.GetElapsedTime(_lastSent);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, CancellationToken.None);
            _lastSent = Stopwatch.GetTimestamp();
            // Requests made from here on are served by this send or the next one.
            Volatile.Write(ref _state, Sending);
            try
            {
                await using var cmd = dataSource.CreateCommand(Sql);
                cmd.Parameters.AddWithValue("schema", schema);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                // Dropped on purpose (see remarks): polling finds the job.
            }
            if (Interlocked.CompareExchange(ref _state, Idle, Sending) == Sending) return;
        }
    }
}
