using System.Diagnostics;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// A small file system of its own (a tmpfs of a few MiB), so that a test can fill a disk for real (ENOSPC) without
/// touching the machine's. Mounting needs root, or sudo without a password: <c>./build.sh test</c> runs as root. Where
/// neither works the test fails with a message saying so; it is never skipped, in CI or out (as the PostgreSQL tests).
/// </summary>
public sealed class TmpfsVolume : IAsyncDisposable
{
    private TmpfsVolume(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>
    /// Mounts a tmpfs of <paramref name="bytes"/> on a fresh folder; owned by the user <paramref name="owner"/> (mode 0700)
    /// when given, as PostgreSQL requires of a tablespace's folder, otherwise open to everyone.
    /// </summary>
    public static async Task<TmpfsVolume> MountAsync(long bytes, string? owner = null)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leora-tests", "tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var mode = "mode=0777";
        if (owner is not null)
        {
            var (uidCode, uid) = await AsRootAsync("id", "-u", owner);
            var (gidCode, gid) = await AsRootAsync("id", "-g", owner);
            if (uidCode != 0 || gidCode != 0) throw new InvalidOperationException($"There is no user '{owner}' to own the tmpfs: {uid.Trim()}");
            mode = $"mode=0700,uid={uid.Trim()},gid={gid.Trim()}";
        }
        var (code, output) = await AsRootAsync("mount", "-t", "tmpfs", "-o", $"size={bytes},{mode}", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(
                "This test fills a disk for real on a small tmpfs, which needs root or sudo without a password to mount " +
                $"(./build.sh test runs as root). mount said: {output.Trim()}");
        }
        return new TmpfsVolume(path);
    }

    /// <summary>Fills the volume with one file until the file system says it is full; returns the file's path.</summary>
    public async Task<string> FillAsync()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var chunk = new byte[64 * 1024];
        await using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true) await stream.WriteAsync(chunk);
        }
        catch (IOException)
        {
            // ENOSPC: the volume is full. Smaller writes take what is left of the last chunk.
        }
        for (var size = chunk.Length / 2; size >= 512; size /= 2)
        {
            try
            {
                while (true) await stream.WriteAsync(chunk.AsMemory(0, size));
            }
            catch (IOException)
            {
            }
        }
        return filler;
    }

    /// <summary>The bytes free on the volume.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // Lazy: a handle still open somewhere does not keep the mount (nor fail the test).
        await AsRootAsync("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static async Task<(int Code, string Output)> AsRootAsync(string command, params string[] args)
    {
        var root = Environment.UserName == "root";
        var info = new ProcessStartInfo(root ? command : "sudo")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!root)
        {
            info.ArgumentList.Add("-n");
            info.ArgumentList.Add(command);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
