namespace Leora.Jobs.Tests;

/// <summary>
/// How a schedule's ticks fall across the 2026 daylight-saving changes (Cronos's behaviour, as docs/schedules.md describes
/// it): a wall-clock time in the spring gap runs at the end of the gap; one in the autumn repeat runs once, at its first
/// occurrence; expressions that fire every hour keep firing through the repeated hour.
/// </summary>
public sealed class ScheduleCronTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static List<DateTimeOffset> Ticks(string cron, string zone, DateTimeOffset from, DateTimeOffset to)
    {
        var parsed = ScheduleCron.Parse(cron, zone);
        var ticks = new List<DateTimeOffset>();
        for (var t = parsed.NextAfter(from); t is { } tick && tick <= to; t = parsed.NextAfter(tick)) ticks.Add(tick);
        return ticks;
    }

    [Fact]
    public void Berlin_spring_gap_runs_a_missing_wall_clock_time_at_the_end_of_the_gap()
    {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
        Assert.Equal([Utc(3, 28, 1, 30), Utc(3, 29, 1, 0), Utc(3, 30, 0, 30)],
            Ticks("30 2 * * *", "Europe/Berlin", Utc(3, 27, 12, 0), Utc(3, 30, 12, 0)));
    }

    [Fact]
    public void Berlin_autumn_repeat_runs_a_repeated_wall_clock_time_once_at_its_first_occurrence()
    {
        // 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice (00:30Z and 01:30Z).
        Assert.Equal([Utc(10, 24, 0, 30), Utc(10, 25, 0, 30), Utc(10, 26, 1, 30)],
            Ticks("30 2 * * *", "Europe/Berlin", Utc(10, 23, 12, 0), Utc(10, 26, 12, 0)));
    }

    [Fact]
    public void Berlin_hourly_fires_every_hour_through_both_changes()
    {
        // 23 hours on 29 March, 25 on 25 October: one tick per real hour, none lost, none doubled.
        var spring = Ticks("0 * * * *", "Europe/Berlin", Utc(3, 28, 22, 30), Utc(3, 29, 22, 0));
        Assert.Equal(23, spring.Count(t => TimeZoneInfo.ConvertTime(t, ScheduleCron.FindZone("Europe/Berlin")).Day == 29));
        var autumn = Ticks("@hourly", "Europe/Berlin", Utc(10, 24, 21, 30), Utc(10, 25, 23, 0));
        Assert.Equal(25, autumn.Count(t => TimeZoneInfo.ConvertTime(t, ScheduleCron.FindZone("Europe/Berlin")).Day == 25));
        Assert.Equal(autumn.Count, autumn.Distinct().Count());
        Assert.All(autumn.Zip(autumn.Skip(1)), p => Assert.Equal(TimeSpan.FromHours(1), p.Second - p.First));
    }

    [Fact]
    public void New_York_spring_gap_and_autumn_repeat()
    {
        // 8 March 2026: 02:00 EST becomes 03:00 EDT. 1 November 2026: 02:00 EDT becomes 01:00 EST (01:30 happens twice).
        Assert.Equal([Utc(3, 7, 7, 30), Utc(3, 8, 7, 0), Utc(3, 9, 6, 30)],
            Ticks("30 2 * * *", "America/New_York", Utc(3, 7, 0, 0), Utc(3, 9, 12, 0)));
        Assert.Equal([Utc(10, 31, 5, 30), Utc(11, 1, 5, 30), Utc(11, 2, 6, 30)],
            Ticks("30 1 * * *", "America/New_York", Utc(10, 31, 0, 0), Utc(11, 2, 12, 0)));
    }

    [Theory]
    [InlineData("0 3 * * *", 5)]
    [InlineData("15 0 3 * * *", 6)]
    [InlineData("@daily", 0)]
    [InlineData("@weekly", 0)]
    [InlineData("@monthly", 0)]
    [InlineData("@yearly", 0)]
    [InlineData("@hourly", 0)]
    public void Five_and_six_fields_and_macros_parse(string cron, int fields)
    {
        var parsed = ScheduleCron.Parse(cron, "UTC");
        var next = parsed.NextAfter(Utc(1, 1, 0, 0))!.Value;
        Assert.True(next > Utc(1, 1, 0, 0));
        if (fields == 6) Assert.Equal(15, next.Second);
    }

    [Theory]
    [InlineData("* * *", "UTC", "cron")]
    [InlineData("61 * * * *", "UTC", "cron")]
    [InlineData("@fortnightly", "UTC", "cron")]
    [InlineData("0 3 * * *", "Mars/Olympus_Mons", "timeZone")]
    [InlineData("0 3 * * *", "", "timeZone")]
    public void Bad_expressions_and_zones_are_refused_naming_the_field(string cron, string zone, string field)
    {
        var ex = Assert.Throws<JobValidationException>(() => ScheduleCron.Parse(cron, zone));
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Due_ticks_keep_the_latest_and_count_all()
    {
        var cron = ScheduleCron.Parse("0 * * * *", "UTC");
        var (count, latest) = cron.Due(Utc(1, 1, 0, 0), Utc(1, 1, 10, 30), keep: 3);
        Assert.Equal(11, count);
        Assert.Equal([Utc(1, 1, 8, 0), Utc(1, 1, 9, 0), Utc(1, 1, 10, 0)], latest);
    }
}
