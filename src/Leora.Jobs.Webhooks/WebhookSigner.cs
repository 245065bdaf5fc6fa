using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// Standard Webhooks signatures (standardwebhooks.com): <c>webhook-signature: v1,base64(HMAC-SHA256(key, id.timestamp.body))</c>,
/// where the key is the base64 part of the <c>whsec_…</c> secret.
/// </summary>
internal static class WebhookSigner
{
    private const string Prefix = "whsec_";

    public static bool TryParseSecret(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var buffer = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var length) || length is < 24 or > 64) return false;
        key = buffer[..length];
        return true;
    }

    public static string Sign(byte[] key, string id, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>The three Standard Webhooks headers of one message: <c>webhook-id</c>, <c>webhook-timestamp</c> (unix seconds) and <c>webhook-signature</c>.</summary>
    public static (string Name, string Value)[] Headers(byte[] key, string id, DateTimeOffset now, string body)
    {
        var timestamp = now.ToUnixTimeSeconds();
        return
        [
            ("webhook-id", id),
            ("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            ("webhook-signature", Sign(key, id, timestamp, body)),
        ];
    }
}
