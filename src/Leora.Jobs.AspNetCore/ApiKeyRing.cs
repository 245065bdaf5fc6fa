using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The accepted API keys, kept only as SHA-256 hashes. A presented key is hashed and compared with every stored
/// hash by <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at a match, so neither the
/// key's content nor which key matched shows in the timing. Follows configuration reloads (rotation without restart).
/// </summary>
internal sealed class ApiKeyRing(IOptionsMonitor<LeoraJobsApiOptions> options)
{
    // One immutable snapshot, swapped whole, so a reader never pairs one options instance with another's hashes.
    private Snapshot? _current;

    public int Count => Hashes.Length;

    private byte[][] Hashes
    {
        get
        {
            var value = options.CurrentValue;
            var current = Volatile.Read(ref _current);
            if (current is not null && ReferenceEquals(current.Source, value)) return current.Hashes;
            var hashes = value.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k))
                .Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim()))).ToArray();
            Volatile.Write(ref _current, new Snapshot(value, hashes));
            return hashes;
        }
    }

    private sealed record Snapshot(LeoraJobsApiOptions Source, byte[][] Hashes);

    public bool IsValid(string presented)
    {
        var hashes = Hashes;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var known in hashes) match |= CryptographicOperations.FixedTimeEquals(hash, known);
        return match;
    }
}
