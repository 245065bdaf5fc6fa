namespace Leora.Jobs.Dashboard;

/// <summary>Who is signed in to the dashboard, and whether they may act.</summary>
/// <param name="Name">A display name: the host user's name, or "API key" / "read-only key".</param>
/// <param name="ReadOnly">True when the user may look but not act.</param>
/// <param name="SessionId">The API-key session's random id (what sign-out revokes and the anti-forgery token is bound to); null in host mode.</param>
internal sealed record DashboardUser(string Name, bool ReadOnly, string? SessionId = null);
