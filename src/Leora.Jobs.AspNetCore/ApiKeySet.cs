using System.Security.Cryptography;
using System.Text;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// A set of API keys kept as SHA-256 digests: full keys (look and act) and read-only keys (the dashboard's, look only).
/// A presented key's digest is compared with every digest by <see cref="CryptographicOperations.FixedTimeEquals"/>,
/// without stopping at a match, so neither the key's content nor which key matched shows in the timing.
/// </summary>
internal sealed class ApiKeySet
{
    public static readonly ApiKeySet Empty = new([], []);

    private readonly byte[][] _full;
    private readonly byte[][] _readOnly;

    private ApiKeySet(byte[][] full, byte[][] readOnly)
    {
        _full = full;
        _readOnly = readOnly;
    }

    /// <summary>How many full keys there are (the ones the HTTP API accepts).</summary>
    public int FullCount => _full.Length;

    /// <summary>How many keys there are, full and read-only.</summary>
    public int Count => _full.Length + _readOnly.Length;

    /// <summary>A set of <paramref name="full"/> and <paramref name="readOnly"/> keys; each is trimmed, and blank ones are left out.</summary>
    public static ApiKeySet Create(IEnumerable<string> full, IEnumerable<string> readOnly) => new(Digests(full), Digests(readOnly));

    /// <summary>This set with more keys (those a host adds in code), or this set itself when there are none.</summary>
    public ApiKeySet With(ICollection<string> full, ICollection<string> readOnly) =>
        full.Count == 0 && readOnly.Count == 0 ? this : new([.. _full, .. Digests(full)], [.. _readOnly, .. Digests(readOnly)]);

    /// <summary>The digest a key is known by.</summary>
    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Whether <paramref name="digest"/> is a full key, a read-only key, both, or neither; in constant time.</summary>
    public (bool Full, bool ReadOnly) Match(byte[] digest) => (Contains(_full, digest), Contains(_readOnly, digest));

    // Compares against every digest without stopping at a match, so the time taken says nothing about which key matched.
    private static bool Contains(byte[][] digests, byte[] digest)
    {
        var found = false;
        foreach (var known in digests) found |= CryptographicOperations.FixedTimeEquals(known, digest);
        return found;
    }

    private static byte[][] Digests(IEnumerable<string> keys) =>
        [.. keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => Digest(k.Trim()))];
}
