using System.Diagnostics;
using System.Text;

namespace Leora.Jobs.TestSupport;

/// <summary>Runs a real process (the built leora-jobs, dotnet, bash, curl, an installed tool) and collects its exit code and output.</summary>
public static class ProcessRunner
{
    /// <summary>The repository's root (the folder holding Leora.Jobs.slnx).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The build configuration these tests were built with (Debug or Release); the executable was built with the same.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The built executable's entry assembly.</summary>
    public static string LeoraJobsDll { get; } = Path.Combine(RepoRoot, "src", "Leora.Jobs.Server", "bin", Configuration, "net10.0", "leora-jobs.dll");

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using var process = new Process { StartInfo = Start(fileName, args, workingDirectory, environment) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish.\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the built leora-jobs with <paramref name="args"/>.</summary>
    public static Task<Result> LeoraJobsAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        RunAsync("dotnet", [LeoraJobsDll, .. args], workingDirectory, environment);

    public static ProcessStartInfo Start(string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        // A clean environment: no key, connection string or build setting (of the dotnet test running this) leaks in.
        foreach (var name in new[] { "JOB_PROCESSOR_API_KEY", "ConnectionStrings__Jobs", "Jobs__Provider", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath" })
            info.Environment.Remove(name);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        return info;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Leora.Jobs.slnx not found above " + AppContext.BaseDirectory);
    }
}
