namespace Leora.Jobs.Dashboard;

/// <summary>Who is signed in to the dashboard, and whether they may act.</summary>
/// <param name="Name">A display name: the host user's name, or "API key" / "read-only key".</param>
/// <param name="ReadOnly">True when the user may look but not act.</param>
internal sealed record DashboardUser(string Name, bool ReadOnly);
