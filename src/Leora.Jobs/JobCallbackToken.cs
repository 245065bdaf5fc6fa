using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Leora.Jobs;

/// <summary>
/// The bearer token of one attempt's callback routes: the attempt's lock token followed by an HMAC-SHA256, under the job
/// type's key, of the job id, the attempt number and that lock token, in base64url. The MAC proves the server issued it for
/// this job and attempt; the lock token inside is what the store fences every write with, so a token whose attempt lost its
/// lease (rescued, finished, cancelled) still authenticates but can change nothing (409). Compared in constant time.
/// </summary>
internal static class JobCallbackToken
{
    private const int MacLength = 32;
    private const int TokenLength = 64;

    public static string Create(byte[] key, long jobId, int attempt, Guid lockToken)
    {
        Span<byte> token = stackalloc byte[16 + MacLength];
        lockToken.TryWriteBytes(token[..16]);
        Mac(key, jobId, attempt, lockToken, token[16..]);
        return Base64Url.EncodeToString(token);
    }

    /// <summary>True, with the attempt's lock token, when <paramref name="token"/> was issued for this job and attempt under <paramref name="key"/>.</summary>
    public static bool TryRead(byte[] key, long jobId, int attempt, string? token, out Guid lockToken)
    {
        lockToken = Guid.Empty;
        // 48 bytes are 64 base64url characters without padding; anything else (an API key sent by mistake) is refused
        // before decoding.
        if (token is not { Length: TokenLength } || !Base64Url.IsValid(token)) return false;
        Span<byte> bytes = stackalloc byte[16 + MacLength];
        if (Base64Url.DecodeFromChars(token, bytes) != 16 + MacLength) return false;
        var candidate = new Guid(bytes[..16]);
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(key, jobId, attempt, candidate, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.Slice(16, MacLength))) return false;
        lockToken = candidate;
        return true;
    }

    private static void Mac(byte[] key, long jobId, int attempt, Guid lockToken, Span<byte> destination)
    {
        var message = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"leora-jobs.callback.v1.{jobId}.{attempt}.{lockToken:N}"));
        HMACSHA256.HashData(key, message, destination);
    }

    /// <summary>A callback-token key derived from a job type's signing secret, so that every node that shares the type's configuration shares it.</summary>
    public static byte[] DeriveKey(byte[] secret) => HMACSHA256.HashData(secret, "leora-jobs callback token key"u8);
}
