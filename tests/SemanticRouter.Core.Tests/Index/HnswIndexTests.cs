using System.Buffers.Binary;
using System.IO.Hashing;
using SemanticRouter.Index;

namespace SemanticRouter.Core.Tests.Index;

public sealed class HnswIndexTests
{
    private const int Dims = 32;

    private static HnswIndex Build(int count, int threads = 1, int seed = 42, int dataSeed = 5)
    {
        var index = new HnswIndex(Dims, new HnswOptions { M = 8, EfConstruction = 80, Seed = seed, ScanLimit = 0 });
        index.AddRange(TestVectors.Range(0, count), TestVectors.Clustered(count, Dims, 8, 0.7f, dataSeed), threads);
        return index;
    }

    private static byte[] Bytes(HnswIndex index)
    {
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswOptions { M = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswOptions { EfConstruction = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswOptions { EfSearch = -3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(0));
    }

    [Fact]
    public void AddRange_InvalidItem_AddsNothing()
    {
        var index = new HnswIndex(Dims);
        float[] vectors = TestVectors.Clustered(10, Dims, 2, 0.5f, 1);
        vectors[(7 * Dims) + 1] = float.NaN;
        Assert.Throws<ArgumentException>(() => index.AddRange(TestVectors.Range(0, 10), vectors));
        Assert.Equal(0, index.Count);
        Assert.Throws<ArgumentException>(() => index.AddRange([1, 2, 1], TestVectors.Clustered(3, Dims, 1, 0.5f, 1)));
        Assert.Throws<ArgumentException>(() => index.AddRange([1, 2], TestVectors.Clustered(3, Dims, 1, 0.5f, 1)));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void AddRange_OneThreadSameSeed_GivesIdenticalFiles()
    {
        Assert.Equal(Bytes(Build(600)), Bytes(Build(600)));
        Assert.NotEqual(Bytes(Build(600, seed: 1)), Bytes(Build(600, seed: 2)));
    }

    [Fact]
    public void AddRange_Parallel_FindsTheSameNeighboursAsExact()
    {
        float[] all = TestVectors.Clustered(3100, Dims, 8, 0.7f, 5);
        var index = new HnswIndex(Dims, new HnswOptions { M = 8, EfConstruction = 80, ScanLimit = 0 });
        index.AddRange(TestVectors.Range(0, 3000), all.AsSpan(0, 3000 * Dims), 4);
        var exact = new ExactIndex(Dims);
        exact.AddRange(TestVectors.Range(0, 3000), all.AsSpan(0, 3000 * Dims));
        float[] queries = all[(3000 * Dims)..];
        Assert.True(TestVectors.Recall(index, exact, queries, Dims, 10, 64) >= 0.97);
        Assert.Equal(3000, index.Count);
    }

    /// <summary>
    /// Thousands of identical vectors (few-shot prompts that share their exemplars read head-first) split the
    /// graph: a walk can run out of reachable nodes before it has k. The search never answers short, and a
    /// walk as broad as half the index is a scan, so exact (hnswlib 0.8 refuses such a query instead:
    /// "Cannot return the results in a contiguous 2D array").
    /// </summary>
    [Fact]
    public void Search_OnAGraphOfDuplicates_NeverAnswersShort_AndABroadSearchIsExact()
    {
        const int duplicates = 1500, distinct = 500, n = duplicates + distinct;
        float[] one = TestVectors.Unit(Dims, 1);
        float[] others = TestVectors.Clustered(distinct, Dims, 4, 0.7f, 9);
        var all = new float[n * Dims];
        for (var i = 0; i < duplicates; i++)
        {
            one.CopyTo(all, i * Dims);
        }

        others.CopyTo(all, duplicates * Dims);
        var index = new HnswIndex(Dims, new HnswOptions { M = 8, EfConstruction = 80, ScanLimit = 0 });
        index.AddRange(TestVectors.Range(0, n), all, 1);
        var exact = new ExactIndex(Dims);
        exact.AddRange(TestVectors.Range(0, n), all);
        for (var q = 0; q < n; q += 97)
        {
            foreach (var k in new[] { 10, 300, 900 })
            {
                Assert.Equal(k, index.Search(all.AsSpan(q * Dims, Dims), k).Count);
            }

            var query = all.AsSpan(q * Dims, Dims);
            var want = exact.Search(query, 1000);
            var got = index.Search(query, 1000);
            Assert.Equal(want.Count, got.Count);
            for (var i = 0; i < want.Count; i++)
            {
                Assert.Equal(want[i].Similarity, got[i].Similarity, 1e-5); // the two dot products round differently
            }
        }
    }

    [Fact]
    public void AddRange_ReportsProgressUpToTheCount()
    {
        var reports = new List<int>();
        var index = new HnswIndex(Dims);
        index.AddRange(TestVectors.Range(0, 1500), TestVectors.Clustered(1500, Dims, 4, 0.7f, 1), 1, new SyncProgress(reports.Add));
        Assert.Equal(1500, reports[^1]);
    }

    [Fact]
    public void Add_AfterBuild_IsFoundAndAddRangeAppends()
    {
        HnswIndex index = Build(500);
        float[] extra = TestVectors.Clustered(50, Dims, 3, 0.7f, 9);
        index.AddRange(TestVectors.Range(1000, 50), extra, 2);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(1000 + i, index.Search(extra.AsSpan(i * Dims, Dims), 1)[0].Id);
        }
    }

    [Fact]
    public void Compact_DropsTombstonesAndKeepsLiveIds()
    {
        HnswIndex index = Build(400);
        for (int i = 0; i < 400; i += 3)
        {
            index.Remove(i);
        }

        HnswIndex compacted = index.Compact(1);
        Assert.Equal(index.Count, compacted.Count);
        Assert.Equal(0, compacted.DeletedCount);
        Assert.Equal(index.Ids.Order(), compacted.Ids.Order());
    }

    [Fact]
    public void Search_SpanOverload_MatchesListOverload()
    {
        HnswIndex index = Build(300);
        float[] q = TestVectors.Unit(Dims, 4);
        var hits = new VectorHit[10];
        Assert.Equal(10, index.Search(q, hits));
        Assert.Equal(index.Search(q, 10), hits);
    }

    [Fact]
    public void Search_ConcurrentReaders_MatchSequentialResults()
    {
        HnswIndex index = Build(1000);
        index.Remove(7);
        float[] queries = TestVectors.Clustered(200, Dims, 8, 0.7f, 5);
        VectorHit[][] sequential = Enumerable.Range(0, 200).Select(q => index.Search(queries.AsSpan(q * Dims, Dims), 10).ToArray()).ToArray();
        var concurrent = new VectorHit[200][];
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, q => concurrent[q] = index.Search(queries.AsSpan(q * Dims, Dims), 10).ToArray());
        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public void ReadFrom_BadMagic_Refused()
    {
        byte[] bytes = Bytes(Build(50));
        bytes[0] = (byte)'X';
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_OtherVersion_Refused()
    {
        byte[] bytes = Bytes(Build(50));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 99);
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("format version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_Truncated_Refused()
    {
        byte[] bytes = Bytes(Build(50));
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.ReadFrom(new MemoryStream(bytes[..^20])));
        Assert.Contains("bytes", e.Message, StringComparison.Ordinal);
        using var unseekable = new ForwardOnlyStream(bytes[..^20]);
        Assert.Throws<InvalidDataException>(() => HnswIndex.ReadFrom(unseekable));
    }

    [Fact]
    public void ReadFrom_NeighbourOutOfRangeWithValidChecksum_NamesTheLink()
    {
        HnswIndex index = Build(50);
        byte[] bytes = Bytes(index);
        // Level-0 links start after the 64-byte header, labels, levels, flags and vectors.
        int n = 50;
        int links0 = 64 + (n * 4) + (n * 4) + n + (n * Dims * 4);
        int node = 3;
        int firstLink = links0 + (node * (1 + 16) * 4) + 4;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(firstLink), 5000);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("node 3 level 0 link 0 points to 5000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_Empty_RoundTrips()
    {
        var loaded = HnswIndex.ReadFrom(new MemoryStream(Bytes(new HnswIndex(Dims))));
        Assert.Equal(0, loaded.Count);
        Assert.Empty(loaded.Search(TestVectors.Unit(Dims, 1), 3));
        loaded.Add(1, TestVectors.Unit(Dims, 1));
        Assert.Equal(1, loaded.Search(TestVectors.Unit(Dims, 1), 3)[0].Id);
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    /// <summary>A stream that cannot seek, so the length check up front is skipped.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
