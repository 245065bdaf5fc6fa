using Leora.Jobs.PostgreSql;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// DESIGN.md invariant 6 on PostgreSQL: the database's clock decides times (created, due, leases) whatever TimeProvider
/// the node has; only a store told to (<see cref="PostgreSqlJobStoreOptions.UseTimeProviderClock"/>) takes a test's clock.
/// Issue 11: any TimeProvider other than the very <see cref="TimeProvider.System"/> instance used to move them.
/// </summary>
public sealed class PostgreSqlClockTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>A node clock a day ahead: a provider that wraps the system clock, as a decorator or an adjusted clock would.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }

    private sealed record Observed(DateTimeOffset Before, DateTimeOffset After, JobInfo Inserted, JobRow Claimed);

    /// <summary>Inserts and claims one job through a store on <paramref name="time"/>, between two reads of the database's clock.</summary>
    private static async Task<Observed> InsertAndClaimAsync(TimeProvider time, bool useTimeProviderClock)
    {
        await using var database = TestDatabase.Create("postgresql", "clock");
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions
        {
            ConnectionString = database.ConnectionString,
            Schema = database.Schema!,
            UseTimeProviderClock = useTimeProviderClock,
        }, time);
        await store.MigrateAsync(CancellationToken.None);
        var before = await DatabaseNowAsync();
        var inserted = await store.JobInsertAsync(new JobInsertParams("noop", "default", """{"n":1}""", 0, 3, null, null, null), null, CancellationToken.None);
        var claimed = Assert.Single(await store.JobClaimAsync(new JobClaimParams(null, 1, Lease, "clock-test"), CancellationToken.None));
        var after = await DatabaseNowAsync();
        return new Observed(before, after, inserted.ToJobInfo()!, claimed);
    }

    private static async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await using var connection = new NpgsqlConnection(TestPostgres.Require());
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT now()", connection);
        return new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    private static void OnTheDatabaseClock(Observed o)
    {
        Assert.InRange(o.Inserted.CreatedAt, o.Before, o.After);
        Assert.InRange(o.Inserted.RunAt, o.Before, o.After);
        Assert.InRange(o.Claimed.StartedAt!.Value, o.Before, o.After);
        Assert.InRange(o.Claimed.LockedUntil!.Value, o.Before + Lease, o.After + Lease);
    }

    [Fact]
    public async Task A_TimeProvider_that_wraps_the_system_clock_does_not_move_times_or_leases() =>
        OnTheDatabaseClock(await InsertAndClaimAsync(new SkewedClock(TimeSpan.FromDays(1)), useTimeProviderClock: false));

    [Fact]
    public async Task A_fake_clock_does_not_move_them_either_unless_the_store_is_told_to_use_it() =>
        OnTheDatabaseClock(await InsertAndClaimAsync(new FakeTimeProvider(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)), useTimeProviderClock: false));

    [Fact]
    public async Task A_store_told_to_use_its_TimeProviders_clock_runs_on_the_fake_clock()
    {
        var start = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var o = await InsertAndClaimAsync(new FakeTimeProvider(start), useTimeProviderClock: true);
        Assert.Equal(start, o.Inserted.CreatedAt);
        Assert.Equal(start, o.Claimed.StartedAt);
        Assert.Equal(start + Lease, o.Claimed.LockedUntil);
    }
}
