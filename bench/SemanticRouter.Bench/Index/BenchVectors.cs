using System.Runtime.InteropServices;
using SemanticRouter.Index;

namespace SemanticRouter.Bench.Index;

/// <summary>Vector sets for the index benchmark: synthetic clustered unit vectors, raw float32 files, exact top-k.</summary>
internal static class BenchVectors
{
    /// <summary>Rows per cluster of the synthetic sets.</summary>
    private const int RowsPerCluster = 100;

    /// <summary>Dimensions of each cluster's own subspace: sentence embeddings have a low intrinsic dimension.</summary>
    private const int SubspaceDims = 16;

    /// <summary>
    /// <paramref name="count"/> unit vectors of <paramref name="dims"/> floats around count/100 random
    /// centres: centre + 0.6 × (a random point of the cluster's own 16-dimensional subspace) + 0.15 ×
    /// isotropic noise, normalised. Deterministic for a seed, generated in parallel chunks.
    /// </summary>
    public static float[] Clustered(int count, int dims, int seed)
    {
        int clusters = Math.Max(1, count / RowsPerCluster);
        var centres = new float[clusters * dims];
        var bases = new float[(long)clusters * SubspaceDims * dims];
        Parallel.For(0, clusters, c =>
        {
            var random = new Random((seed * 1_000_003) + (c * 2) + 1);
            Span<float> centre = centres.AsSpan(c * dims, dims);
            Fill(random, centre, 1f);
            VectorMath.Normalize(centre);
            Fill(random, bases.AsSpan((int)((long)c * SubspaceDims * dims), SubspaceDims * dims), 1f / MathF.Sqrt(dims));
        });

        var vectors = new float[(long)count * dims];
        const int Chunk = 4096;
        Parallel.For(0, (count + Chunk - 1) / Chunk, chunk =>
        {
            var random = new Random((seed * 1_000_003) + (chunk * 2) + 2);
            Span<float> g = stackalloc float[SubspaceDims];
            Span<float> noise = new float[dims];
            for (int i = chunk * Chunk; i < Math.Min(count, (chunk + 1) * Chunk); i++)
            {
                int c = random.Next(clusters);
                Span<float> v = vectors.AsSpan((int)((long)i * dims), dims);
                centres.AsSpan(c * dims, dims).CopyTo(v);
                Fill(random, g, 0.6f / MathF.Sqrt(SubspaceDims));
                ReadOnlySpan<float> basis = bases.AsSpan((int)((long)c * SubspaceDims * dims), SubspaceDims * dims);
                for (int j = 0; j < SubspaceDims; j++)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(basis.Slice(j * dims, dims), g[j], v, v);
                }

                Fill(random, noise, 0.15f / MathF.Sqrt(dims));
                System.Numerics.Tensors.TensorPrimitives.Add(v, noise, v);
                VectorMath.Normalize(v);
            }
        });
        return vectors;
    }

    /// <summary>Reads raw little-endian float32 rows; rows that are not unit length are normalised (and counted).</summary>
    public static float[] ReadRaw(string path, int dims, out int renormalised)
    {
        long bytes = new FileInfo(path).Length;
        if (bytes % (dims * sizeof(float)) != 0)
        {
            throw new InvalidDataException($"{path}: {bytes} bytes is not a whole number of {dims}-float rows.");
        }

        var vectors = new float[bytes / sizeof(float)];
        using (FileStream stream = File.OpenRead(path))
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(vectors.AsSpan()));
        }

        int fixedRows = 0;
        for (int i = 0; i < vectors.Length / dims; i++)
        {
            Span<float> row = vectors.AsSpan(i * dims, dims);
            float squared = VectorMath.Dot(row, row);
            if (MathF.Abs(squared - 1f) > 1e-4f)
            {
                VectorMath.Normalize(row);
                fixedRows++;
            }
        }

        renormalised = fixedRows;
        return vectors;
    }

    public static void WriteRaw<T>(string path, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        using FileStream stream = File.Create(path);
        stream.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Exact top-k ids (row numbers) per query by brute force over all rows, in parallel over queries.</summary>
    public static int[] ExactTopK(float[] rows, float[] queries, int dims, int k)
    {
        int n = rows.Length / dims;
        int q = queries.Length / dims;
        var result = new int[q * k];
        Parallel.For(0, q, qi =>
        {
            Span<float> bestSim = stackalloc float[k];
            Span<int> bestId = stackalloc int[k];
            bestSim.Fill(float.NegativeInfinity);
            bestId.Fill(-1);
            ref float query = ref queries[qi * dims];
            for (int r = 0; r < n; r++)
            {
                float s = VectorMath.Dot(ref query, ref rows[(long)r * dims], dims);
                if (s <= bestSim[k - 1])
                {
                    continue;
                }

                int pos = k - 1;
                while (pos > 0 && bestSim[pos - 1] < s)
                {
                    bestSim[pos] = bestSim[pos - 1];
                    bestId[pos] = bestId[pos - 1];
                    pos--;
                }

                bestSim[pos] = s;
                bestId[pos] = r;
            }

            bestId.CopyTo(result.AsSpan(qi * k, k));
        });
        return result;
    }

    private static void Fill(Random random, Span<float> destination, float scale)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            destination[i] = scale * (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }
    }
}
