using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Auth;

/// <summary>Which configured key a presented one is.</summary>
internal enum KeyMatch
{
    /// <summary>Neither configured key.</summary>
    None,

    /// <summary>The API key (<see cref="RouterServerOptions.ApiKey"/>).</summary>
    ApiKey,

    /// <summary>The admin key (<see cref="RouterServerOptions.AdminKey"/>).</summary>
    AdminKey,
}

/// <summary>
/// The server's keys, read once from its settings, and the one way a presented key is compared with them: as
/// SHA-256 digests (a fixed length, so the comparison time reveals neither a key nor its length), both keys
/// always compared, in constant time, so the time taken does not tell which matched. The gRPC key check
/// (<see cref="KeyCheck"/>) and the web page (<c>Web/WebKeys</c>) decide what a match allows.
/// </summary>
internal sealed class ConfiguredKeys
{
    private const int DigestBytes = 32;

    private readonly byte[]? _apiKey;
    private readonly byte[]? _adminKey;

    public ConfiguredKeys(IOptions<RouterServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _apiKey = Digest(Secrets.ApiKey(options.Value));
        _adminKey = Digest(Secrets.AdminKey(options.Value));
    }

    /// <summary>True when an API key is configured.</summary>
    public bool ApiKeyConfigured => _apiKey is not null;

    /// <summary>True when an admin key is configured.</summary>
    public bool AdminKeyConfigured => _adminKey is not null;

    /// <summary>Which configured key <paramref name="presented"/> is (<see cref="KeyMatch.None"/> for neither).</summary>
    public KeyMatch Match(ReadOnlySpan<char> presented)
    {
        Span<byte> given = stackalloc byte[DigestBytes];
        HashInto(presented, given);
        bool api = _apiKey is not null && CryptographicOperations.FixedTimeEquals(given, _apiKey);
        bool admin = _adminKey is not null && CryptographicOperations.FixedTimeEquals(given, _adminKey);
        return admin ? KeyMatch.AdminKey : api ? KeyMatch.ApiKey : KeyMatch.None;
    }

    private static byte[]? Digest(string? key)
    {
        if (key is not { Length: > 0 })
        {
            return null;
        }

        var digest = new byte[DigestBytes];
        HashInto(key, digest);
        return digest;
    }

    private static void HashInto(ReadOnlySpan<char> text, Span<byte> digest)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        SHA256.HashData(buffer[..length], digest);
    }
}
