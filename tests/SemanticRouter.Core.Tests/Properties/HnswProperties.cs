using FsCheck;
using FsCheck.Xunit;
using SemanticRouter.Core.Tests.Index;
using SemanticRouter.Index;

namespace SemanticRouter.Core.Tests.Properties;

/// <summary>Properties of <see cref="HnswIndex"/> against its exact twin, on small random clustered data.</summary>
public sealed class HnswProperties
{
    private const int QueryRows = 40;

    private static (HnswIndex Hnsw, ExactIndex Exact, float[] Vectors, float[] Queries, int Dims) RandomIndexes(int seed, int threads = 1)
    {
        var random = new Random(seed);
        int dims = random.Next(8, 48);
        int count = random.Next(200, 900);
        int clusters = random.Next(1, 25);
        float noise = 0.3f + (float)random.NextDouble();
        // Queries come from the same clusters: the tail beyond count rows is never inserted.
        float[] all = TestVectors.Clustered(count + QueryRows, dims, clusters, noise, seed);
        float[] vectors = all[..(count * dims)];
        int[] ids = Enumerable.Range(0, count).Select(i => (i * 7) + random.Next(7)).ToArray();
        var hnsw = new HnswIndex(dims, new HnswOptions { M = random.Next(4, 17), EfConstruction = 100, Seed = seed, ScanLimit = 0 });
        hnsw.AddRange(ids, vectors, threads);
        var exact = new ExactIndex(dims);
        exact.AddRange(ids, vectors);
        return (hnsw, exact, vectors, all[(count * dims)..], dims);
    }

    private static byte[] Bytes(HnswIndex index)
    {
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        return stream.ToArray();
    }

    [Property(MaxTest = 12)]
    public bool Recall_OnRandomClusteredData_IsAtLeast95Percent(PositiveInt seed)
    {
        (HnswIndex hnsw, ExactIndex exact, _, float[] queries, int dims) = RandomIndexes(seed.Get, threads: (seed.Get % 2) + 1);
        return TestVectors.Recall(hnsw, exact, queries, dims, 10, 64) >= 0.95;
    }

    [Property(MaxTest = 12)]
    public void Search_OnIndexUnderScanLimit_IsExactEvenWithRemovals(PositiveInt seed)
    {
        (_, ExactIndex exact, float[] vectors, float[] queries, int dims) = RandomIndexes(seed.Get);
        int[] ids = exact.Ids.ToArray();
        var scanned = new HnswIndex(dims, new HnswOptions { M = 8, EfConstruction = 32, Seed = seed.Get }); // default ScanLimit 2048 > 900 rows
        scanned.AddRange(ids, vectors);
        foreach (int id in ids.Where((_, i) => i % 5 == 0))
        {
            scanned.Remove(id);
            exact.Remove(id);
        }

        for (int q = 0; q < queries.Length / dims; q++)
        {
            var query = queries.AsSpan(q * dims, dims);
            // ef 1 would starve a graph walk; the scan does not use it.
            var got = scanned.Search(query, 10, ef: 1);
            var want = exact.Search(query, 10);
            // The index stores distances (1 − dot), so similarities agree to float rounding.
            Assert.Equal(want.Count, got.Count);
            for (int i = 0; i < want.Count; i++)
            {
                Assert.Equal(want[i].Similarity, got[i].Similarity, 1e-5f);
            }

            Assert.Equal(want.Select(h => h.Id).Order(), got.Select(h => h.Id).Order());
        }
    }

    [Fact]
    public void Recall_OnFixedFiveThousand_IsAtLeast99PercentAtEf64()
    {
        const int Dims = 64;
        float[] all = TestVectors.Clustered(5200, Dims, 50, 0.8f, 2024);
        float[] vectors = all[..(5000 * Dims)];
        float[] queries = all[(5000 * Dims)..];
        int[] ids = TestVectors.Range(0, 5000);
        var hnsw = new HnswIndex(Dims);
        hnsw.AddRange(ids, vectors);
        var exact = new ExactIndex(Dims);
        exact.AddRange(ids, vectors);
        double recall = TestVectors.Recall(hnsw, exact, queries, Dims, 10, 64);
        Assert.True(recall >= 0.99, $"recall@10 {recall:F4}");
    }

    [Property(MaxTest = 10)]
    public bool SaveLoad_RoundTrip_GivesIdenticalResults(PositiveInt seed)
    {
        (HnswIndex hnsw, _, _, float[] queries, int dims) = RandomIndexes(seed.Get);
        foreach (int id in hnsw.Ids.Where((_, i) => i % 5 == 0).ToList())
        {
            hnsw.Remove(id);
        }

        byte[] bytes = Bytes(hnsw);
        HnswIndex loaded = HnswIndex.ReadFrom(new MemoryStream(bytes));
        loaded.ScanLimit = hnsw.ScanLimit; // search-time, not stored
        for (int q = 0; q < QueryRows; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * dims, dims);
            if (!hnsw.Search(query, 10, 40).SequenceEqual(loaded.Search(query, 10, 40)))
            {
                return false;
            }
        }

        return Bytes(loaded).AsSpan().SequenceEqual(bytes);
    }

    [Property(MaxTest = 60)]
    public void FlippedByte_Anywhere_IsRefused(PositiveInt position, byte mask)
    {
        byte[] bytes = SmallFile.Value;
        byte flip = mask == 0 ? (byte)1 : mask;
        byte[] corrupt = (byte[])bytes.Clone();
        corrupt[position.Get % corrupt.Length] ^= flip;
        Assert.Throws<InvalidDataException>(() => HnswIndex.ReadFrom(new MemoryStream(corrupt)));
    }

    [Property(MaxTest = 40)]
    public void FlippedByte_InExactIndexFile_IsRefused(PositiveInt position, byte mask)
    {
        byte[] bytes = SmallExactFile.Value;
        byte[] corrupt = (byte[])bytes.Clone();
        corrupt[position.Get % corrupt.Length] ^= mask == 0 ? (byte)0x80 : mask;
        Assert.Throws<InvalidDataException>(() => ExactIndex.ReadFrom(new MemoryStream(corrupt)));
    }

    [Property(MaxTest = 10)]
    public bool Delete_ThenSearch_NeverReturnsDeletedIds(PositiveInt seed)
    {
        (HnswIndex hnsw, _, float[] vectors, _, int dims) = RandomIndexes(seed.Get);
        var random = new Random(seed.Get);
        var deleted = hnsw.Ids.Where(_ => random.NextDouble() < 0.4).ToHashSet();
        foreach (int id in deleted)
        {
            hnsw.Remove(id);
        }

        for (int q = 0; q < 30; q++)
        {
            int row = random.Next(vectors.Length / dims);
            IReadOnlyList<VectorHit> hits = hnsw.Search(vectors.AsSpan(row * dims, dims), 10, 32);
            if (hits.Any(h => deleted.Contains(h.Id)) || hits.Count != Math.Min(10, hnsw.Count))
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 6)]
    public bool Build_OneThreadFixedSeed_IsDeterministic(PositiveInt seed) =>
        Bytes(RandomIndexes(seed.Get).Hnsw).AsSpan().SequenceEqual(Bytes(RandomIndexes(seed.Get).Hnsw));

    private static readonly Lazy<byte[]> SmallFile = new(() =>
    {
        var index = new HnswIndex(8, new HnswOptions { M = 4, EfConstruction = 20, ScanLimit = 0 });
        index.AddRange(TestVectors.Range(0, 40), TestVectors.Clustered(40, 8, 3, 0.6f, 11));
        index.Remove(5);
        return Bytes(index);
    });

    private static readonly Lazy<byte[]> SmallExactFile = new(() =>
    {
        var index = new ExactIndex(8);
        index.AddRange(TestVectors.Range(0, 40), TestVectors.Clustered(40, 8, 3, 0.6f, 11));
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        return stream.ToArray();
    });
}
