using System.Security.Cryptography;

namespace SemanticRouter.Artifacts;

/// <summary>
/// A read-only pass-through stream that feeds every byte read from it into a SHA-256, so a file can
/// be verified against its manifest checksum in the same pass that parses it.
/// </summary>
internal sealed class Sha256ReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    /// <summary>Readable (parsers check the remaining length); setting it would break the hash.</summary>
    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        _hash.AppendData(buffer[..read]);
        return read;
    }

    /// <summary>Hashes whatever is left unread and returns the lower-case hex SHA-256 of the whole stream.</summary>
    public string FinishHash()
    {
        byte[] rest = new byte[1 << 16];
        while (Read(rest) > 0)
        {
        }

        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
