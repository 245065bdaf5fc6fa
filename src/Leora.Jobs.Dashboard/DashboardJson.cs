using System.Text.Json;
using System.Text.Json.Serialization;

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
    };
}
