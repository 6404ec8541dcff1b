using System.Security.Cryptography;

namespace SemanticRouter.Artifacts;

/// <summary>sha256 of files, streamed (artefact files can be hundreds of MB).</summary>
internal static class FileChecksum
{
    internal static ArtifactFileInfo Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var hash = SHA256.HashData(stream);
        return new ArtifactFileInfo(Convert.ToHexStringLower(hash), stream.Length);
    }

    internal static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
