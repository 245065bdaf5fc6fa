using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Release.Tests;

/// <summary>
/// Leora Jobs installed the way .NET users install things, from the packages <c>./build.sh pack</c> writes (packed once
/// for the class, into a folder outside the repository): a fresh app built from docs/getting-started.md exactly as
/// written, restoring Leora.* from that folder only, runs its job to completion; the <c>leora-jobs</c> tool installs
/// from it and runs; the packages carry their metadata, and their symbols name no build machine's folders.
/// </summary>
[Collection(nameof(PackageTests))]
public sealed partial class PackageTests(PackageFixture packages) : IClassFixture<PackageFixture>
{
    [GeneratedRegex(@"^```(\w+)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [Fact]
    public async Task A_fresh_app_built_from_the_getting_started_page_and_the_packed_folder_runs_its_job_to_completion()
    {
        var page = File.ReadAllText(Path.Combine(ProcessRunner.RepoRoot, "docs", "getting-started.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = CodeBlock().Matches(page).Select(m => (Lang: m.Groups[1].Value, Code: m.Groups[2].Value)).ToList();
        var work = packages.NewFolder("app");

        // The page's nuget.config, pointed at the packed folder.
        var config = Assert.Single(blocks, b => b.Lang == "xml" && b.Code.Contains("packageSourceMapping", StringComparison.Ordinal)).Code;
        Assert.Contains("/path/to/leora-jobs/artifacts/packages", config, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(work, "nuget.config"), config.Replace("/path/to/leora-jobs/artifacts/packages", packages.Folder, StringComparison.Ordinal));

        // Step 1's commands, as a shell runs them.
        var commands = blocks.First(b => b.Lang == "sh").Code;
        Assert.Contains("dotnet add package Leora.Jobs.Sqlite", commands, StringComparison.Ordinal);
        var setup = await packages.RunAsync("bash", ["-euo", "pipefail", "-c", commands], work, TimeSpan.FromMinutes(10));
        Assert.True(setup.ExitCode == 0, setup.ToString());
        var app = Path.Combine(work, "WelcomeApp");
        var project = File.ReadAllText(Path.Combine(app, "WelcomeApp.csproj"));
        Assert.Contains("<PackageReference Include=\"Leora.Jobs.Sqlite\" Version=\"" + packages.Version + "\"", project, StringComparison.Ordinal);
        Assert.DoesNotContain("ProjectReference", project, StringComparison.Ordinal);

        // The page's C#, file by file: every block that starts with the file's name.
        foreach (var file in new[] { "Jobs.cs", "Program.cs" })
        {
            var code = string.Join("\n", blocks.Where(b => b.Lang == "csharp" && b.Code.StartsWith($"// {file}\n", StringComparison.Ordinal)).Select(b => b.Code));
            Assert.False(string.IsNullOrEmpty(code), $"docs/getting-started.md has no ```csharp block starting with // {file}");
            File.WriteAllText(Path.Combine(app, file), code);
        }

        var run = await packages.RunAsync("dotnet", ["run"], app, TimeSpan.FromMinutes(10));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("to ana@example.com: Welcome, Ana!", run.Out, StringComparison.Ordinal);
        Assert.Contains("""job 1 is Completed; result: {"sentTo":"ana@example.com"}""", run.Out, StringComparison.Ordinal);

        // Leora.* came from the packed folder (the restore's own record), the rest from the machine's feed.
        foreach (var id in new[] { "leora.jobs", "leora.jobs.sqlite" })
        {
            var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(packages.NuGetCache, id, packages.Version, ".nupkg.metadata")));
            Assert.Equal(Path.TrimEndingDirectorySeparator(packages.Folder), Path.TrimEndingDirectorySeparator(metadata.RootElement.GetProperty("source").GetString()!));
        }
    }

    [Fact]
    public async Task The_tool_installs_from_the_packed_folder_reports_its_version_and_processes_a_SQLite_file()
    {
        var work = packages.NewFolder("tool");
        var tools = Path.Combine(work, "tools");
        var install = await packages.RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages.Folder, "leora-jobs", "--version", packages.Version], work, TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());
        var leora = Path.Combine(tools, "leora-jobs");

        var version = await packages.RunAsync(leora, ["--version"], work);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(packages.Version, version.Out.Trim(), StringComparison.Ordinal);

        await using var receiver = await WebhookReceiver.StartAsync();
        var env = new Dictionary<string, string?> { ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1" };
        var database = $"Data Source={Path.Combine(work, "jobs.db")}";
        var enqueue = await packages.RunAsync(leora, ["enqueue", "webhook", "--payload", JsonSerializer.Serialize(new { url = receiver.IpUrl("/ok") }), "--json", "-c", database], work, environment: env);
        Assert.True(enqueue.ExitCode == 0, enqueue.ToString());
        var id = JsonDocument.Parse(enqueue.Out).RootElement.GetProperty("id").GetInt64();

        var process = await packages.RunAsync(leora, ["process", "--json", "-c", database], work, environment: env);
        Assert.True(process.ExitCode == 0, process.ToString());
        Assert.True(JsonDocument.Parse(process.Out).RootElement.GetProperty("succeeded").GetInt32() == 1, process.ToString());
        var status = await packages.RunAsync(leora, ["status", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "-c", database], work, environment: env);
        Assert.Equal("completed", JsonDocument.Parse(status.Out).RootElement.GetProperty("status").GetString());
        Assert.Single(receiver.Requests);

        // A newer release migrated the file: this one refuses it, saying what to do, and changes nothing.
        await using (var c = new Microsoft.Data.Sqlite.SqliteConnection(database + ";Pooling=false"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO leora_migrations (version, applied_at) VALUES (999, 0)";
            await cmd.ExecuteNonQueryAsync();
        }
        var refused = await packages.RunAsync(leora, ["process", "-c", database], work, environment: env);
        Assert.True(refused.ExitCode == 5, refused.ToString());
        Assert.Contains("schema is version 999", refused.Err, StringComparison.Ordinal);
        Assert.Contains("upgrade leora-jobs", refused.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_package_has_its_metadata_readme_and_symbols_and_no_build_machine_paths()
    {
        string[] libraries = ["Leora.Jobs", "Leora.Jobs.Sqlite", "Leora.Jobs.PostgreSql", "Leora.Jobs.AspNetCore", "Leora.Jobs.Dashboard", "Leora.Jobs.Webhooks", "Leora.Jobs.Notifications", "Leora.Jobs.Testing"];
        var root = ProcessRunner.RepoRoot;
        foreach (var id in libraries.Append("leora-jobs"))
        {
            using var package = ZipFile.OpenRead(Path.Combine(packages.Folder, $"{id}.{packages.Version}.nupkg"));
            var nuspec = Read(package.GetEntry($"{id}.nuspec") ?? throw new InvalidOperationException($"{id} has no nuspec"));
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<repository type=\"git\"", nuspec, StringComparison.Ordinal);
            Assert.Matches("<description>.{20,}</description>", nuspec);
            Assert.NotNull(package.GetEntry("README.md"));
            // Siblings at exactly this version: they share internals.
            foreach (Match dependency in Regex.Matches(nuspec, "<dependency id=\"(Leora[^\"]*)\" version=\"([^\"]*)\""))
                Assert.Equal($"[{packages.Version}]", dependency.Groups[2].Value);
            Assert.True(File.Exists(Path.Combine(packages.Folder, $"{id}.{packages.Version}.snupkg")), $"{id} has no symbol package");
        }
        Assert.Contains("<packageType name=\"DotnetTool\"", Read(ZipFile.OpenRead(Path.Combine(packages.Folder, $"leora-jobs.{packages.Version}.nupkg")).GetEntry("leora-jobs.nuspec")!), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(packages.Folder), f => Path.GetFileName(f).StartsWith("Leora.Crm", StringComparison.Ordinal));

        // The symbols name sources by their mapped path (/_/src/…), never by this machine's folder.
        foreach (var id in libraries)
        {
            using var symbols = ZipFile.OpenRead(Path.Combine(packages.Folder, $"{id}.{packages.Version}.snupkg"));
            var pdb = Assert.Single(symbols.Entries, e => e.FullName.EndsWith($"{id}.pdb", StringComparison.Ordinal));
            using var memory = new MemoryStream();
            using (var s = pdb.Open()) s.CopyTo(memory);
            memory.Position = 0;
            using var provider = MetadataReaderProvider.FromPortablePdbStream(memory);
            var reader = provider.GetMetadataReader();
            var documents = reader.Documents.Select(h => reader.GetString(reader.GetDocument(h).Name)).ToList();
            Assert.Contains(documents, d => d.StartsWith($"/_/src/{id}/", StringComparison.Ordinal));
            Assert.DoesNotContain(documents, d => d.Contains(root, StringComparison.Ordinal));
        }
    }

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>The package tests run alone: they restore and build, which competes badly with parallel tests for CPU.</summary>
[CollectionDefinition(nameof(PackageTests), DisableParallelization = true)]
public sealed class PackageTestsCollection;
