using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard;

// The Alerts page (issue 13): the notification channels (names and kinds, never their URLs or secrets), the alert rules with
// their state, and the recent messages, which are the jobs of the built-in leora.notification type; a full key may send a
// test message on a channel. Without notifications in the host (no IJobAlerts), the page says so.
internal static partial class DashboardEndpoints
{
    private const string NotificationType = "leora.notification";

    private static async Task<IResult> AlertsAsync(HttpContext context, IJobClient client, CancellationToken ct)
    {
        var alerts = context.RequestServices.GetService<IJobAlerts>();
        var view = alerts is null ? null : await alerts.ReadAsync(ct);
        var page = await client.ListAsync(new JobQuery { Type = NotificationType, Limit = 25 }, ct);
        var messages = page.Items.Select(AlertMessageDto.From).ToList();
        return Json(new AlertsDto(
            alerts is not null,
            view?.Channels.Select(c => new AlertChannelDto(c.Name, c.Kind)).ToList() ?? [],
            view?.Rules.Select(r => new AlertRuleDto(r.Name, r.Kind, r.Channels, r.Firing ? "firing" : r.Since is null ? "not evaluated yet" : "ok", r.Since, r.Detail)).ToList() ?? [],
            view?.QuietPeriod.TotalSeconds,
            view?.EvaluatedAt,
            messages));
    }

    private static async Task<IResult> AlertTestAsync(HttpContext context, string channel, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var alerts = context.RequestServices.GetService<IJobAlerts>();
        var id = alerts is null ? null : await alerts.SendTestAsync(channel, ct);
        Log.AlertTest(logger, channel, User(context).Name, id is null ? "NotFound" : $"job {id}");
        return id is { } jobId
            ? Json(new EnqueueResultDto(jobId, false), StatusCodes.Status201Created)
            : Problem(StatusCodes.Status404NotFound, "No such channel", $"No notification channel is named '{channel}' (Jobs:Notifications).", "channel");
    }
}

internal sealed record AlertsDto(bool Enabled, IReadOnlyList<AlertChannelDto> Channels, IReadOnlyList<AlertRuleDto> Rules,
    double? QuietPeriodSeconds, DateTimeOffset? EvaluatedAt, IReadOnlyList<AlertMessageDto> Messages);

internal sealed record AlertChannelDto(string Name, string Kind);

internal sealed record AlertRuleDto(string Name, string Kind, IReadOnlyList<string> Channels, string State, DateTimeOffset? Since, string? Detail);

/// <summary>A notification job as the Alerts page lists it: its channel and title (from its payload), status and attempts.</summary>
internal sealed record AlertMessageDto(long Id, string Status, string? Channel, string? Event, string? Title, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt, string? LastError)
{
    public static AlertMessageDto From(JobInfo job)
    {
        string? Read(System.Text.Json.JsonElement e, string name) =>
            e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        var message = job.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && job.Payload.TryGetProperty("message", out var m) ? m : default;
        return new AlertMessageDto(job.Id, JobNames.Status(job.Status), Read(job.Payload, "channel"), Read(message, "event"), Read(message, "title"),
            job.Attempts, job.CreatedAt, job.CompletedAt, job.Errors.Count > 0 ? job.Errors[^1].Message : null);
    }
}
