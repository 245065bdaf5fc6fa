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
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            // A body sent without Content-Length (chunked) is cut off as soon as it passes the limit.
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
