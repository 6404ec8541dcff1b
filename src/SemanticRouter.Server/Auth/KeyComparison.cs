using System.Security.Cryptography;
using System.Text;

namespace SemanticRouter.Server.Auth;

/// <summary>The one way a presented key is compared with a configured one: constant time, whatever either's length.</summary>
internal static class KeyComparison
{
    /// <summary>The configured key's bytes, or null when it is unset or empty.</summary>
    public static byte[]? Expected(string? key) => key is { Length: > 0 } ? Encoding.UTF8.GetBytes(key) : null;

    /// <summary>True when <paramref name="presented"/> is the key <paramref name="expected"/> (false when none is configured).</summary>
    public static bool Matches(ReadOnlySpan<char> presented, byte[]? expected)
    {
        if (expected is null)
        {
            return false;
        }

        // Hash both sides to a fixed length first, so the comparison time reveals neither the
        // key nor its length.
        Span<byte> given = stackalloc byte[32];
        Span<byte> wanted = stackalloc byte[32];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(presented, buffer);
        SHA256.HashData(buffer[..length], given);
        SHA256.HashData(expected, wanted);
        return CryptographicOperations.FixedTimeEquals(given, wanted);
    }
}
