using SemanticRouter.Index;

namespace SemanticRouter.Core.Tests.Index;

/// <summary>Seeded clustered unit vectors: cluster centres on the sphere plus Gaussian noise, normalised.</summary>
internal static class TestVectors
{
    public static float[] Clustered(int count, int dims, int clusters, float noise, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters * dims];
        for (int c = 0; c < clusters; c++)
        {
            Span<float> centre = centres.AsSpan(c * dims, dims);
            for (int d = 0; d < dims; d++)
            {
                centre[d] = Gaussian(random);
            }

            VectorMath.Normalize(centre);
        }

        var vectors = new float[count * dims];
        float scale = noise / MathF.Sqrt(dims);
        for (int i = 0; i < count; i++)
        {
            Span<float> v = vectors.AsSpan(i * dims, dims);
            ReadOnlySpan<float> centre = centres.AsSpan(random.Next(clusters) * dims, dims);
            for (int d = 0; d < dims; d++)
            {
                v[d] = centre[d] + (scale * Gaussian(random));
            }

            VectorMath.Normalize(v);
        }

        return vectors;
    }

    public static float[] Unit(int dims, int seed) => Clustered(1, dims, 1, 10f, seed);

    public static int[] Range(int start, int count) => Enumerable.Range(start, count).ToArray();

    /// <summary>Mean share of the exact top-k that the approximate index also returned.</summary>
    public static double Recall(IVectorIndex approximate, IVectorIndex exact, float[] queries, int dims, int k, int ef)
    {
        int n = queries.Length / dims;
        int hits = 0, total = 0;
        for (int q = 0; q < n; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * dims, dims);
            var truth = exact.Search(query, k).Select(h => h.Id).ToHashSet();
            hits += approximate.Search(query, k, ef).Count(h => truth.Contains(h.Id));
            total += truth.Count;
        }

        return total == 0 ? 1.0 : (double)hits / total;
    }

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
