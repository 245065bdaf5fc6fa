using System.Globalization;

namespace Leora.Jobs.Server;

/// <summary>
/// Reads the rate and concurrency limits declared in configuration, one section per job type or queue:
/// <c>Jobs:Limits:Types:&lt;type&gt;</c> and <c>Jobs:Limits:Queues:&lt;queue&gt;</c>, each with <c>Rate</c> and <c>RatePeriod</c> (a
/// duration such as <c>1m</c> or <c>00:01:00</c>), <c>Concurrency</c>, and (types) <c>KeyConcurrency</c>. A value that does not parse stops the
/// service with a message naming the setting. Read after the code's declarations: for one type or queue, configuration wins.
/// </summary>
internal static class LimitConfiguration
{
    private static readonly string[] Keys = ["Rate", "RatePeriod", "Concurrency", "KeyConcurrency"];

    public static void AddDeclared(LeoraJobsBuilder jobs, IConfiguration configuration)
    {
        foreach (var group in configuration.GetSection("Jobs:Limits").GetChildren())
        {
            var scope = group.Key.ToUpperInvariant() switch
            {
                "TYPES" => JobLimitScope.Type,
                "QUEUES" => JobLimitScope.Queue,
                _ => throw new ServerConfigurationException($"{group.Path} is not a limits setting (expected Types or Queues)."),
            };
            foreach (var section in group.GetChildren())
            {
                try
                {
                    jobs.AddLimit(Read(section, scope), section.Path);
                }
                catch (ArgumentException ex)
                {
                    throw new ServerConfigurationException(ex.Message.Split(" (Parameter", 2)[0], ex);
                }
            }
        }
    }

    private static JobLimit Read(IConfigurationSection section, JobLimitScope scope)
    {
        foreach (var child in section.GetChildren())
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                throw new ServerConfigurationException($"{child.Path} is not a limit setting (expected one of {string.Join(", ", Keys)}).");
        TimeSpan? period = null;
        if (section["RatePeriod"] is { Length: > 0 } text)
            period = Leora.Jobs.AspNetCore.DurationText.TryParse(text, out var p) ? p
                : throw new ServerConfigurationException($"{section.Path}:RatePeriod must be a duration such as 1m, 30s or 00:01:00 (was '{text}').");
        return new JobLimit
        {
            Scope = scope,
            Name = section.Key,
            Rate = Int(section, "Rate"),
            RatePeriod = period,
            Concurrency = Int(section, "Concurrency"),
            KeyConcurrency = Int(section, "KeyConcurrency"),
        };
    }

    private static int? Int(IConfigurationSection section, string key) => section[key] is { Length: > 0 } text
        ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ServerConfigurationException($"{section.Path}:{key} must be a whole number (was '{text}').")
        : null;
}
