namespace Leora.Jobs.TestSupport;

/// <summary>A SQLite database file in a fresh temporary folder, deleted on dispose.</summary>
public sealed class TempSqlite : IDisposable
{
    public TempSqlite()
    {
        Directory = Path.Combine(Path.GetTempPath(), "leora-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path_ = System.IO.Path.Combine(Directory, "jobs.db");
    }

    public string Directory { get; }

    /// <summary>The database file's path.</summary>
    public string Path_ { get; }

    public string ConnectionString => $"Data Source={Path_}";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
