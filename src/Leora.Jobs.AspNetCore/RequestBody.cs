using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Reads a request body whole, refusing one larger than a limit before reading it all: the one size-capped reader of
/// the HTTP API and the dashboard (which references this assembly).
/// </summary>
internal static class RequestBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>The body's bytes, or null when it is larger than <paramref name="limit"/> (by its Content-Length, or as read).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } length)
        {
            if (length > limit) return null;
            // The usual case (curl, fetch, HttpClient with content): one array of the declared size, read into directly.
            // Kestrel ends the body at Content-Length and fails a request whose body ends early.
            var exact = new byte[length];
            var filled = 0;
            int n;
            while (filled < exact.Length && (n = await request.Body.ReadAsync(exact.AsMemory(filled), cancellationToken)) > 0) filled += n;
            return filled == exact.Length ? exact : exact[..filled];
        }

        // Chunked: no size up front, so the body is cut off as soon as it passes the limit.
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
