using System.Data.Common;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Storage;

/// <summary>
/// Uploaded images and import files, and generated reports: stored in the database (<c>crm_files.content</c>) or,
/// when <see cref="CrmOptions.FileDirectory"/> is set, as files in that directory (shared by every worker node),
/// with their metadata row in the database either way.
/// </summary>
internal sealed class CrmFileStore(CrmDatabase db, IOptions<CrmOptions> options, TimeProvider time)
{
    private readonly string? _directory = options.Value.FileDirectory is { Length: > 0 } d ? Path.GetFullPath(d) : null;

    /// <summary>Saves <paramref name="content"/> (read from its current position) inside the caller's transaction. Returns the file id.</summary>
    public async Task<long> SaveAsync(DbConnection connection, DbTransaction tx, string name, string contentType, Stream content, CancellationToken cancellationToken)
    {
        string? path = null;
        long size;
        object? blob = null;
        if (_directory is not null)
        {
            Directory.CreateDirectory(_directory);
            path = $"{time.GetUtcNow():yyyyMMdd}-{Guid.NewGuid():N}.bin";
            await using var file = new FileStream(Path.Combine(_directory, path), FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await content.CopyToAsync(file, cancellationToken);
            size = file.Length;
        }
        else
        {
            // One buffer per upload, bounded by the upload limits (MaxImageBytes, MaxImportBytes); FileDirectory avoids it.
            size = content.CanSeek ? content.Length - content.Position : -1;
            if (size < 0)
            {
                var buffer = new MemoryStream();
                await content.CopyToAsync(buffer, cancellationToken);
                buffer.Position = 0;
                content = buffer;
                size = buffer.Length;
            }
            blob = await ReadAllAsync(content, size, cancellationToken);
        }
        await using var cmd = CrmCommand.Create(connection, tx, db.Sql.FileInsert);
        cmd.Add("@name", name).Add("@contentType", contentType).AddLong("@size", size)
            .Add("@content", blob, System.Data.DbType.Binary).Add("@path", path).Add("@now", db.Time(time.GetUtcNow()));
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<byte[]> ReadAllAsync(Stream content, long size, CancellationToken cancellationToken)
    {
        var bytes = new byte[size];
        await content.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    /// <summary>Reads a file's metadata, or null.</summary>
    public async Task<CrmFile?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var cmd = CrmCommand.Create(connection, null, db.Sql.FileGet);
        cmd.AddLong("@id", id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new CrmFile(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetStringOrNull(4));
    }

    /// <summary>
    /// Opens a file for reading. A file kept in the database is first copied to a temporary file (deleted on close),
    /// so that a long parse holds no database connection and no whole file in memory.
    /// </summary>
    public async Task<Stream> OpenReadAsync(long id, CancellationToken cancellationToken)
    {
        var meta = await GetAsync(id, cancellationToken) ?? throw new FileNotFoundException($"CRM file {id} does not exist.");
        if (meta.Path is { } path)
        {
            if (_directory is null) throw new InvalidOperationException($"CRM file {id} is kept in a directory, but no FileDirectory is configured.");
            return new FileStream(Path.Combine(_directory, path), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        }
        FileStream? temp = null;
        try
        {
            temp = new FileStream(Path.Combine(Path.GetTempPath(), $"leora-crm-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var cmd = CrmCommand.Create(connection, null, db.Sql.FileContent);
            cmd.AddLong("@id", id);
            await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) throw new FileNotFoundException($"CRM file {id} does not exist.");
            _ = reader.GetInt64(0);
            await using (var blob = reader.GetStream(1)) await blob.CopyToAsync(temp, cancellationToken);
            temp.Position = 0;
            var result = temp;
            temp = null;
            return result;
        }
        finally
        {
            temp?.Dispose();
        }
    }
}
