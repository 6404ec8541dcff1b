using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SemanticRouter.Index;

/// <summary>
/// The binary framing shared by the index files: little-endian, a fixed header, bulk arrays and an
/// XxHash64 trailer over every byte before it, so any flipped byte is detected.
/// </summary>
internal static class IndexFormat
{
    /// <summary>Arrays are moved in pieces of this size: large enough for bulk speed, small enough to stay out of the LOH twice.</summary>
    private const int ChunkBytes = 1 << 20;

    public static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Index files are little-endian; this machine is big-endian.");
        }
    }

    /// <summary>Writes spans to a stream while hashing them.</summary>
    public sealed class Writer(Stream stream)
    {
        private readonly XxHash64 _hash = new();

        public void Write<T>(ReadOnlySpan<T> values)
            where T : unmanaged
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
            while (!bytes.IsEmpty)
            {
                ReadOnlySpan<byte> chunk = bytes[..Math.Min(bytes.Length, ChunkBytes)];
                _hash.Append(chunk);
                stream.Write(chunk);
                bytes = bytes[chunk.Length..];
            }
        }

        public void WriteTrailer()
        {
            Span<byte> trailer = stackalloc byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, _hash.GetCurrentHashAsUInt64());
            stream.Write(trailer);
        }
    }

    /// <summary>Reads spans from a stream while hashing them; a short read is reported as corruption.</summary>
    public sealed class Reader(Stream stream, string what)
    {
        private readonly XxHash64 _hash = new();

        public string What => what;

        public void Read<T>(Span<T> values)
            where T : unmanaged
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(values);
            while (!bytes.IsEmpty)
            {
                Span<byte> chunk = bytes[..Math.Min(bytes.Length, ChunkBytes)];
                try
                {
                    stream.ReadExactly(chunk);
                }
                catch (EndOfStreamException)
                {
                    IndexErrors.Corrupt(what, "the file is truncated.");
                }

                _hash.Append(chunk);
                bytes = bytes[chunk.Length..];
            }
        }

        public void VerifyTrailer()
        {
            ulong expected = _hash.GetCurrentHashAsUInt64();
            Span<byte> trailer = stackalloc byte[sizeof(ulong)];
            try
            {
                stream.ReadExactly(trailer);
            }
            catch (EndOfStreamException)
            {
                IndexErrors.Corrupt(what, "the file is truncated (checksum missing).");
            }

            ulong actual = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
            if (actual != expected)
            {
                IndexErrors.Corrupt(what, $"checksum mismatch (stored {actual:x16}, computed {expected:x16}); the file is corrupt.");
            }
        }

        /// <summary>On a seekable stream, refuses a file whose remaining length is not exactly <paramref name="bytes"/>.</summary>
        public void CheckRemaining(long bytes)
        {
            if (stream.CanSeek)
            {
                long remaining = stream.Length - stream.Position;
                if (remaining != bytes)
                {
                    IndexErrors.Corrupt(what, $"the header announces {bytes} more bytes but {remaining} follow.");
                }
            }
        }
    }
}
