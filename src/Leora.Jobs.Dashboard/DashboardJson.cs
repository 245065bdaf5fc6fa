using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The JSON options of the dashboard's endpoints. Its own, not the host's <c>JsonOptions</c>: the dashboard's
/// script reads camelCase whatever the host chose for its own endpoints.
/// </summary>
internal static class DashboardJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DetailOrder } },
    };

    // The detail view's members in the order the dashboard has always sent them: the API's job with the view's timings
    // placed where they were when the view had a shape of its own (the script reads them by name; the order keeps the
    // bytes the same).
    private static readonly string[] DetailMembers =
    [
        "id", "type", "queue", "status", "scheduled", "priority", "attempts", "maxAttempts", "idempotencyKey", "progress",
        "progressMessage", "payload", "result", "errors", "worker", "lockedUntil", "cancelRequested", "createdAt", "runAt",
        "startedAt", "completedAt", "waitedMs", "ranMs", "now",
    ];

    private static void DetailOrder(JsonTypeInfo info)
    {
        if (info.Type != typeof(JobDetailDto)) return;
        foreach (var property in info.Properties)
        {
            var order = Array.IndexOf(DetailMembers, property.Name);
            property.Order = order < 0 ? DetailMembers.Length : order;
        }
    }
}
