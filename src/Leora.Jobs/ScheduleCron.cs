using Cronos;

namespace Leora.Jobs;

/// <summary>
/// A schedule's timing: its cron expression (Cronos) read in its time zone. Daylight saving is Cronos's: at the spring
/// gap, a tick whose wall-clock time does not exist runs at the first instant after the gap (02:30 in Berlin on 29 March
/// 2026 runs at 03:00 CEST); at the autumn repeat, a tick whose wall-clock time happens twice runs once, at the first
/// (02:30 CEST on 25 October 2026), except that expressions firing every hour or more often (a wildcard or a step in the
/// hour field) keep firing through the repeated hour, so an hourly schedule runs 25 times that day.
/// </summary>
internal sealed class ScheduleCron
{
    /// <summary>The longest cron expression accepted.</summary>
    public const int MaxLength = 200;

    /// <summary>Beyond this many missed ticks the enumeration starts again closer to now (a schedule firing every second after weeks down).</summary>
    private const int MaxEnumerated = 100_000;

    private readonly CronExpression _expression;

    private ScheduleCron(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The zone the expression is read in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <paramref name="cron"/> in <paramref name="timeZone"/>; throws <see cref="JobValidationException"/> naming <c>cron</c> or <c>timeZone</c>.</summary>
    public static ScheduleCron Parse(string? cron, string? timeZone)
    {
        var text = cron?.Trim();
        if (string.IsNullOrEmpty(text)) throw new JobValidationException("cron is missing.", "cron");
        if (text.Length > MaxLength) throw new JobValidationException($"cron must be at most {MaxLength} characters.", "cron");
        CronExpression expression;
        try
        {
            if (text.StartsWith('@'))
            {
                expression = CronExpression.Parse(text);
            }
            else
            {
                var fields = text.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;
                var format = fields switch
                {
                    5 => CronFormat.Standard,
                    6 => CronFormat.IncludeSeconds,
                    _ => throw new JobValidationException(
                        $"cron '{text}' has {fields} field(s): it needs 5 (minute hour day-of-month month day-of-week), 6 (seconds first), or a macro such as @daily.", "cron"),
                };
                expression = CronExpression.Parse(text, format);
            }
        }
        catch (CronFormatException ex)
        {
            throw new JobValidationException($"cron '{text}' is not a valid cron expression: {ex.Message}", "cron", ex);
        }
        return new ScheduleCron(expression, FindZone(timeZone));
    }

    /// <summary>The zone named <paramref name="timeZone"/> (an IANA id such as <c>Europe/Berlin</c>, or <c>UTC</c>).</summary>
    public static TimeZoneInfo FindZone(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone)) throw new JobValidationException("timeZone is missing (use UTC or an IANA zone such as Europe/Berlin).", "timeZone");
        if (timeZone.Length > 100 || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
            throw new JobValidationException($"timeZone '{timeZone}' is not a known time zone: use UTC or an IANA zone such as Europe/Berlin.", "timeZone");
        return zone;
    }

    /// <summary>The first tick after <paramref name="after"/> (exclusive), in UTC, or null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.ToUniversalTime(), Zone, inclusive: false)?.ToUniversalTime();

    /// <summary>The next <paramref name="count"/> ticks after <paramref name="after"/>, each with the zone's offset at that instant.</summary>
    public IReadOnlyList<DateTimeOffset> NextRuns(DateTimeOffset after, int count)
    {
        var runs = new List<DateTimeOffset>(count);
        var from = after.ToUniversalTime();
        while (runs.Count < count && _expression.GetNextOccurrence(from, Zone, inclusive: false) is { } next)
        {
            runs.Add(TimeZoneInfo.ConvertTime(next, Zone));
            from = next;
        }
        return runs;
    }

    /// <summary>
    /// The ticks due at <paramref name="now"/> from <paramref name="first"/> (the stored next run, itself due): how many there
    /// are in all, and the latest <paramref name="keep"/> of them, oldest first.
    /// </summary>
    public (long Count, IReadOnlyList<DateTimeOffset> Latest) Due(DateTimeOffset first, DateTimeOffset now, int keep)
    {
        var latest = new Queue<DateTimeOffset>(keep + 1);
        long count = 0;
        var from = first.ToUniversalTime();
        latest.Enqueue(from);
        count++;
        var enumerated = 0;
        foreach (var tick in _expression.GetOccurrences(from, now.ToUniversalTime(), Zone, fromInclusive: false, toInclusive: true))
        {
            if (++enumerated > MaxEnumerated)
            {
                // So many missed ticks that only the latest matter: count the rest as missed and find those from closer to now.
                var (rest, tail) = Due(LatestBefore(now), now, keep);
                return (count + rest, tail);
            }
            latest.Enqueue(tick.ToUniversalTime());
            count++;
            if (latest.Count > keep) latest.Dequeue();
        }
        if (latest.Count > keep) latest.Dequeue();
        return (count, [.. latest]);
    }

    // A tick at or before now, not long before it: searched from one minute back, doubling until one is found.
    private DateTimeOffset LatestBefore(DateTimeOffset now)
    {
        for (var back = TimeSpan.FromMinutes(1); ; back *= 2)
        {
            if (_expression.GetNextOccurrence((now - back).ToUniversalTime(), Zone, inclusive: true) is { } tick && tick <= now)
                return tick.ToUniversalTime();
        }
    }
}
