using System.Reflection;

namespace Leora.Jobs;

/// <summary>The version of this build of Leora Jobs, as the packages and <c>leora-jobs --version</c> name it.</summary>
internal static class LeoraJobsVersion
{
    /// <summary>
    /// The informational version: the package version (Directory.Build.props' VersionPrefix, and a suffix for a pre-release),
    /// then <c>+</c> and the commit it was built from when the build knew it (<c>0.9.0+3cb6333…</c>).
    /// </summary>
    public static string Informational { get; } =
        typeof(LeoraJobsVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(LeoraJobsVersion).Assembly.GetName().Version?.ToString() ?? "unknown";
}
