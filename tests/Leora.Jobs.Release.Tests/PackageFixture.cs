using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Release.Tests;

/// <summary>
/// Packs the repository once for <see cref="PackageTests"/>: <c>./build.sh pack</c> of what the tests' build built
/// (no second build), into a folder under the system's temporary folder, outside the repository. Every dotnet call of
/// the tests uses a NuGet cache of its own, so the packages are restored from that folder, never from an earlier run's cache.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "leora-packages-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The folder holding every .nupkg and .snupkg.</summary>
    public string Folder => Path.Combine(_root, "packages");

    /// <summary>The NuGet cache (NUGET_PACKAGES) of every dotnet call of the tests.</summary>
    public string NuGetCache => Path.Combine(_root, "nuget-cache");

    /// <summary>The packages' version, read from the tool's package name.</summary>
    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Assert.False(_root.StartsWith(ProcessRunner.RepoRoot, StringComparison.Ordinal), "the packages must be tested outside the repository");
        Directory.CreateDirectory(Folder);
        var pack = await RunAsync("bash", [Path.Combine(ProcessRunner.RepoRoot, "build.sh"), "pack", Folder, "--no-build"], ProcessRunner.RepoRoot,
            TimeSpan.FromMinutes(10), new Dictionary<string, string?> { ["PACK_CONFIGURATION"] = ProcessRunner.Configuration });
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var tool = Assert.Single(Directory.GetFiles(Folder, "leora-jobs.*.nupkg"));
        Version = Path.GetFileNameWithoutExtension(tool)["leora-jobs.".Length..];
    }

    /// <summary>A new empty folder for one test, under the fixture's temporary folder.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..6])).FullName;

    /// <summary>Runs a process with the fixture's own NuGet cache.</summary>
    public Task<ProcessRunner.Result> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["NUGET_PACKAGES"] = NuGetCache };
        return ProcessRunner.RunAsync(fileName, args, workingDirectory, env, timeout);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
