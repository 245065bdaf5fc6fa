using Leora.Jobs.AspNetCore;
using Leora.Jobs.Notifications;

namespace Leora.Jobs.Server;

/// <summary>
/// Binds <c>Jobs:Notifications</c>: the top level as every section is bound, then each named channel and rule with the
/// same binder, so that their durations (<c>10m</c>) and lists (<c>To=a@example.com,b@example.com</c>) are written as
/// everywhere else in the configuration.
/// </summary>
internal static class NotificationConfiguration
{
    public const string Section = "Jobs:Notifications";

    public static void Bind(IConfiguration configuration, NotificationOptions options)
    {
        ConfigurationBinding.Bind(configuration, Section, options,
            nameof(options.Slack), nameof(options.Email), nameof(options.Webhook), nameof(options.Rules));
        BindEach(configuration, $"{Section}:{nameof(options.Slack)}", options.Slack);
        BindEach(configuration, $"{Section}:{nameof(options.Email)}", options.Email);
        BindEach(configuration, $"{Section}:{nameof(options.Webhook)}", options.Webhook);
        BindEach(configuration, $"{Section}:{nameof(options.Rules)}", options.Rules);
    }

    private static void BindEach<T>(IConfiguration configuration, string path, IDictionary<string, T> into) where T : new()
    {
        foreach (var child in configuration.GetSection(path).GetChildren())
        {
            if (!into.TryGetValue(child.Key, out var item)) into[child.Key] = item = new T();
            ConfigurationBinding.Bind(configuration, child.Path, item!);
        }
    }
}
