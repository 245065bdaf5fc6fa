namespace Leora.Jobs.AspNetCore;

/// <summary>The answer of the health endpoints.</summary>
/// <param name="Status"><c>ok</c> (live) or <c>ready</c>.</param>
/// <param name="Provider">The store (<c>sqlite</c>, <c>postgresql</c>), for readiness.</param>
/// <param name="SchemaVersion">The migration applied, for readiness.</param>
public sealed record HealthResponse(string Status, string? Provider = null, int? SchemaVersion = null)
{
    /// <summary>The version of the answering build of Leora Jobs (its informational version, such as <c>0.9.0+3cb6333…</c>).</summary>
    public string? Version { get; init; }
}
