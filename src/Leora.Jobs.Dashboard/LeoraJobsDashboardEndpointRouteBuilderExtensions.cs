using System.Diagnostics.CodeAnalysis;
using Leora.Jobs.Dashboard;
using Microsoft.AspNetCore.Routing;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md, ASP.NET Core).
namespace Microsoft.AspNetCore.Builder;

/// <summary>Mounts the Leora Jobs dashboard.</summary>
public static class LeoraJobsDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard under <paramref name="prefix"/> (a literal path such as <c>/jobs</c>): the page at
    /// <c>{prefix}/</c>, its assets and its JSON endpoints under it. Returns the group's convention builder, to add the
    /// host's own conventions (rate limiting, host filtering, an extra authorization policy).
    /// </summary>
    public static IEndpointConventionBuilder MapLeoraJobsDashboard(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/jobs")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (prefix.Contains('{', StringComparison.Ordinal))
            throw new ArgumentException("The dashboard's prefix must be a literal path, such as /jobs.", nameof(prefix));
        var group = endpoints.MapGroup(prefix);
        DashboardEndpoints.Map(group, prefix);
        return group;
    }
}
