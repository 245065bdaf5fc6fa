using System.Globalization;

namespace Leora.Jobs.Server;

/// <summary>
/// Reads the schedules declared in configuration, one section each: <c>Jobs:Schedules:&lt;name&gt;:Cron</c>, <c>TimeZone</c>,
/// <c>Type</c>, <c>Payload</c> (JSON text), <c>Queue</c>, <c>Priority</c>, <c>MaxAttempts</c>, <c>Enabled</c>, <c>Misfire</c>
/// (latest, all, skip), <c>MisfireLimit</c>, <c>Overlap</c> (allow, skip). A value that does not parse stops the service with
/// a message naming the setting; the type and payload are checked when the host starts, as code declarations are.
/// </summary>
internal static class ScheduleConfiguration
{
    private static readonly string[] Keys =
        ["Cron", "TimeZone", "Type", "Payload", "Queue", "Priority", "MaxAttempts", "Enabled", "Misfire", "MisfireLimit", "Overlap"];

    public static void AddDeclared(LeoraJobsBuilder jobs, IConfiguration configuration)
    {
        foreach (var section in configuration.GetSection("Jobs:Schedules").GetChildren())
        {
            var schedule = Read(section);
            try
            {
                jobs.AddSchedule(schedule, section.Path);
            }
            catch (ArgumentException ex)
            {
                throw new ServerConfigurationException(ex.Message.Split(" (Parameter", 2)[0], ex);
            }
        }
    }

    private static JobSchedule Read(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                throw new ServerConfigurationException($"{child.Path} is not a schedule setting (expected one of {string.Join(", ", Keys)}).");
        var misfire = MisfirePolicy.RunLatest;
        if (Text(section, "Misfire") is { } m && !JobSchedules.TryParseMisfire(m, out misfire))
            throw new ServerConfigurationException($"{section.Path}:Misfire must be latest, all or skip (was '{m}').");
        var overlap = OverlapPolicy.Allow;
        if (Text(section, "Overlap") is { } o && !JobSchedules.TryParseOverlap(o, out overlap))
            throw new ServerConfigurationException($"{section.Path}:Overlap must be allow or skip (was '{o}').");
        return new JobSchedule
        {
            Name = section.Key,
            Cron = Text(section, "Cron") ?? throw new ServerConfigurationException($"{section.Path}:Cron is missing."),
            TimeZone = Text(section, "TimeZone") ?? "UTC",
            Type = Text(section, "Type") ?? throw new ServerConfigurationException($"{section.Path}:Type is missing."),
            Payload = Text(section, "Payload") ?? "{}",
            Queue = Text(section, "Queue"),
            Priority = Int(section, "Priority"),
            MaxAttempts = Int(section, "MaxAttempts"),
            Enabled = Text(section, "Enabled") is { } e
                ? bool.TryParse(e, out var enabled) ? enabled : throw new ServerConfigurationException($"{section.Path}:Enabled must be true or false (was '{e}').")
                : true,
            Misfire = misfire,
            MisfireLimit = Int(section, "MisfireLimit") ?? 10,
            Overlap = overlap,
        };
    }

    private static string? Text(IConfigurationSection section, string key) => section[key] is { Length: > 0 } value ? value : null;

    private static int? Int(IConfigurationSection section, string key) => Text(section, key) is { } text
        ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ServerConfigurationException($"{section.Path}:{key} must be a whole number (was '{text}').")
        : null;
}
