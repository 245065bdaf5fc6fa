using Microsoft.Extensions.Configuration;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// <c>Jobs:Retention</c>: how long finished jobs are kept, read by the service (its pruning and the default of
/// <c>cleanup</c>) and by the API (the default of <c>POST /api/jobs/cleanup</c>) from this one parser.
/// </summary>
internal static class RetentionSetting
{
    public const string Key = "Jobs:Retention";

    /// <summary>Used when the setting is absent. 30 days.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromDays(30);

    /// <summary>
    /// The retention: <see cref="Default"/> when unset, null for <c>off</c> (also <c>none</c>, <c>forever</c>: keep
    /// finished jobs), else a duration. Throws <see cref="FormatException"/> naming the setting for anything else.
    /// </summary>
    public static TimeSpan? Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[Key] is not { Length: > 0 } text) return Default;
        return text.Trim().ToLowerInvariant() is "off" or "none" or "forever" ? null : DurationText.Parse(text, Key);
    }
}
