namespace Leora.Jobs.AspNetCore;

/// <summary>Names the jobs API registers: its authentication scheme and authorization policy.</summary>
public static class LeoraJobsApiDefaults
{
    /// <summary>The API-key authentication scheme (<c>x-api-key</c> or <c>Authorization: Bearer</c>).</summary>
    public const string AuthenticationScheme = "LeoraJobsApiKey";

    /// <summary>
    /// The policy <c>MapLeoraJobsApi()</c> requires. It accepts a valid API key;
    /// a host may redefine a policy of this name (after <c>AddLeoraJobsApi</c>) to change who may call the API.
    /// </summary>
    public const string Policy = "LeoraJobsApi";

    /// <summary>The OpenAPI tag of the job endpoints.</summary>
    public const string Tag = "Jobs";
}
