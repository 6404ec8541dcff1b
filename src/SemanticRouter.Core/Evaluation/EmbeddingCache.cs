using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SemanticRouter.Evaluation;

/// <summary>
/// An append-only, on-disk cache of text embeddings for evaluation runs, so a benchmark is embedded
/// once per model. One file per model fingerprint (<c>{dir}/{fingerprint}-{dims}.f32</c>); each
/// record is the 64-bit XxHash of the UTF-8 text followed by <c>dims</c> float32 values.
/// Not a production artefact: the index artefact holds the route vectors.
/// </summary>
public sealed class EmbeddingCache
{
    private readonly Dictionary<ulong, float[]> _vectors = [];
    private readonly string _path;

    private EmbeddingCache(string path, int dimensions)
    {
        _path = path;
        Dimensions = dimensions;
    }

    public int Dimensions { get; }

    public int Count => _vectors.Count;

    /// <summary>Default cache directory: <c>$SEMANTIC_ROUTER_CACHE</c> or <c>/tmp/sr-cache</c>.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_CACHE") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "sr-cache");

    /// <summary>First 16 hex digits of the SHA-256 of the model file: the cache key of a model.</summary>
    public static string FingerprintOf(string modelFile)
    {
        using var stream = File.OpenRead(modelFile);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }

    public static ulong KeyOf(string text) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text));

    /// <summary>Opens (or creates) the cache for one model fingerprint.</summary>
    public static EmbeddingCache Open(string directory, string fingerprint, int dimensions)
    {
        Directory.CreateDirectory(directory);
        var cache = new EmbeddingCache(Path.Combine(directory, $"{fingerprint}-{dimensions}.f32"), dimensions);
        if (File.Exists(cache._path))
        {
            var bytes = File.ReadAllBytes(cache._path);
            var record = 8 + (4 * dimensions);
            var whole = bytes.Length / record; // a torn tail record is ignored
            for (var i = 0; i < whole; i++)
            {
                var span = bytes.AsSpan(i * record, record);
                var key = BitConverter.ToUInt64(span[..8]);
                var vector = MemoryMarshal.Cast<byte, float>(span[8..]).ToArray();
                var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
                if (float.IsFinite(norm) && Math.Abs(norm - 1) < 1e-3)
                {
                    cache._vectors[key] = vector; // sentence vectors are unit length; anything else is a torn record
                }
            }
        }

        return cache;
    }

    public bool TryGet(string text, out float[] vector) => _vectors.TryGetValue(KeyOf(text), out vector!);

    /// <summary>Adds vectors and appends them to the file.</summary>
    public void AddRange(IReadOnlyList<string> texts, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(vectors);
        var record = 8 + (4 * Dimensions);
        var buffer = new MemoryStream(texts.Count * record);
        Span<byte> key = stackalloc byte[8];
        for (var i = 0; i < texts.Count; i++)
        {
            if (vectors[i].Length != Dimensions)
            {
                throw new ArgumentException("vector has the wrong dimensions", nameof(vectors));
            }

            var k = KeyOf(texts[i]);
            if (!_vectors.TryAdd(k, vectors[i]))
            {
                continue;
            }

            BitConverter.TryWriteBytes(key, k);
            buffer.Write(key);
            buffer.Write(MemoryMarshal.AsBytes(vectors[i].AsSpan()));
        }

        // one write per batch, so concurrent appenders (O_APPEND) do not interleave records
        using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Returns an n×dims row-major matrix for <paramref name="texts"/>, embedding the misses with
    /// <paramref name="embed"/> in batches (progress reported as texts done).
    /// </summary>
    public float[] GetOrEmbed(IReadOnlyList<string> texts, Func<IReadOnlyList<string>, float[][]> embed, IProgress<int>? progress = null, int batch = 256)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(embed);
        var missing = texts.Where(t => !_vectors.ContainsKey(KeyOf(t))).Distinct(StringComparer.Ordinal).ToList();
        var done = texts.Count - missing.Count;
        progress?.Report(done);
        for (var start = 0; start < missing.Count; start += batch)
        {
            var chunk = missing.GetRange(start, Math.Min(batch, missing.Count - start));
            AddRange(chunk, embed(chunk));
            done += chunk.Count;
            progress?.Report(Math.Min(done, texts.Count));
        }

        var matrix = new float[texts.Count * Dimensions];
        for (var i = 0; i < texts.Count; i++)
        {
            _vectors[KeyOf(texts[i])].CopyTo(matrix, i * Dimensions);
        }

        return matrix;
    }
}
