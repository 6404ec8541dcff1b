using SemanticRouter.Index;

namespace SemanticRouter.Core.Tests.Index;

/// <summary>The <see cref="IVectorIndex"/> contract, run against every implementation.</summary>
public abstract class VectorIndexContractTests
{
    protected const int Dims = 24;

    protected abstract IVectorIndex Create(int dims);

    protected abstract IVectorIndex RoundTrip(IVectorIndex index);

    private IVectorIndex Filled(int count, int seed = 1)
    {
        IVectorIndex index = Create(Dims);
        float[] vectors = TestVectors.Clustered(count, Dims, 5, 0.8f, seed);
        for (int i = 0; i < count; i++)
        {
            index.Add(i * 10, vectors.AsSpan(i * Dims, Dims));
        }

        return index;
    }

    [Fact]
    public void Search_EmptyIndex_ReturnsNothing()
    {
        IVectorIndex index = Create(Dims);
        Assert.Empty(index.Search(TestVectors.Unit(Dims, 3), 5));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Search_StoredVector_ReturnsItselfFirstWithSimilarityOne()
    {
        IVectorIndex index = Filled(200);
        float[] vectors = TestVectors.Clustered(200, Dims, 5, 0.8f, 1);
        for (int i = 0; i < 200; i += 17)
        {
            VectorHit top = index.Search(vectors.AsSpan(i * Dims, Dims), 3)[0];
            Assert.Equal(i * 10, top.Id);
            Assert.Equal(1f, top.Similarity, 4);
        }
    }

    [Fact]
    public void Search_Results_AreSortedMostSimilarFirst()
    {
        IVectorIndex index = Filled(300);
        IReadOnlyList<VectorHit> hits = index.Search(TestVectors.Unit(Dims, 99), 20);
        Assert.Equal(20, hits.Count);
        for (int i = 1; i < hits.Count; i++)
        {
            Assert.True(hits[i - 1].Similarity >= hits[i].Similarity);
        }

        Assert.Equal(20, hits.Select(h => h.Id).Distinct().Count());
    }

    [Fact]
    public void Search_KLargerThanCount_ReturnsEverything()
    {
        IVectorIndex index = Filled(7);
        Assert.Equal(7, index.Search(TestVectors.Unit(Dims, 5), 50).Count);
    }

    [Fact]
    public void Add_WrongDimensions_Throws()
    {
        IVectorIndex index = Create(Dims);
        var e = Assert.Throws<ArgumentException>(() => index.Add(1, TestVectors.Unit(Dims + 1, 1)));
        Assert.Contains("dimensions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NaN_Throws()
    {
        IVectorIndex index = Create(Dims);
        float[] v = TestVectors.Unit(Dims, 1);
        v[3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => index.Add(1, v));
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NotNormalised_Throws()
    {
        IVectorIndex index = Create(Dims);
        float[] v = TestVectors.Unit(Dims, 1);
        v[0] += 1f;
        Assert.Throws<ArgumentException>(() => index.Add(1, v));
    }

    [Fact]
    public void Add_DuplicateOrNegativeId_Throws()
    {
        IVectorIndex index = Filled(3);
        var e = Assert.Throws<ArgumentException>(() => index.Add(10, TestVectors.Unit(Dims, 7)));
        Assert.Contains("already", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => index.Add(-1, TestVectors.Unit(Dims, 7)));
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public void Search_BadArguments_Throw()
    {
        IVectorIndex index = Filled(3);
        Assert.Throws<ArgumentException>(() => index.Search(TestVectors.Unit(Dims, 1), 0));
        Assert.Throws<ArgumentException>(() => index.Search(TestVectors.Unit(Dims, 1), 3, -1));
        Assert.Throws<ArgumentException>(() => index.Search(TestVectors.Unit(Dims - 1, 1), 3));
    }

    [Fact]
    public void Remove_StoredId_DisappearsFromResultsAndCount()
    {
        IVectorIndex index = Filled(100);
        float[] vectors = TestVectors.Clustered(100, Dims, 5, 0.8f, 1);
        Assert.True(index.Remove(40));
        Assert.False(index.Remove(40));
        Assert.False(index.Remove(12345));
        Assert.Equal(99, index.Count);
        Assert.False(index.Contains(40));
        Assert.DoesNotContain(index.Search(vectors.AsSpan(4 * Dims, Dims), 100), h => h.Id == 40);
        Assert.Equal(99, index.Search(vectors.AsSpan(4 * Dims, Dims), 100).Count);
    }

    [Fact]
    public void Add_AfterRemove_ReusesTheId()
    {
        IVectorIndex index = Filled(50);
        float[] replacement = TestVectors.Unit(Dims, 77);
        Assert.True(index.Remove(30));
        index.Add(30, replacement);
        Assert.Equal(50, index.Count);
        Assert.Equal(30, index.Search(replacement, 1)[0].Id);
        Assert.Equal(replacement, index.GetVector(30).ToArray());
    }

    [Fact]
    public void Remove_Everything_SearchReturnsNothing()
    {
        IVectorIndex index = Filled(20);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(index.Remove(i * 10));
        }

        Assert.Empty(index.Search(TestVectors.Unit(Dims, 2), 5));
    }

    [Fact]
    public void GetVector_UnknownId_Throws()
    {
        IVectorIndex index = Filled(2);
        Assert.True(index.Contains(10));
        Assert.Throws<KeyNotFoundException>(() => index.GetVector(11).ToArray());
    }

    [Fact]
    public void RoundTrip_KeepsCountsAndResults()
    {
        IVectorIndex index = Filled(150);
        index.Remove(20);
        IVectorIndex loaded = RoundTrip(index);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(index.Dimensions, loaded.Dimensions);
        float[] queries = TestVectors.Clustered(10, Dims, 5, 0.8f, 8);
        for (int q = 0; q < 10; q++)
        {
            Assert.Equal(index.Search(queries.AsSpan(q * Dims, Dims), 10), loaded.Search(queries.AsSpan(q * Dims, Dims), 10));
        }
    }
}

/// <summary>The graph walk: <see cref="HnswOptions.ScanLimit"/> 0, so even tiny indexes are searched through the graph.</summary>
public sealed class HnswIndexContractTests : VectorIndexContractTests
{
    protected override IVectorIndex Create(int dims) => new HnswIndex(dims, new HnswOptions { M = 8, EfConstruction = 64, ScanLimit = 0 });

    protected override IVectorIndex RoundTrip(IVectorIndex index)
    {
        using var stream = new MemoryStream();
        ((HnswIndex)index).WriteTo(stream);
        stream.Position = 0;
        var loaded = HnswIndex.ReadFrom(stream);
        loaded.ScanLimit = 0; // search-time, not stored: keep walking the graph after the round trip
        return loaded;
    }
}

/// <summary>The exact scan a small index takes (default <see cref="HnswOptions.ScanLimit"/>).</summary>
public sealed class HnswIndexScanContractTests : VectorIndexContractTests
{
    protected override IVectorIndex Create(int dims) => new HnswIndex(dims, new HnswOptions { M = 8, EfConstruction = 64 });

    protected override IVectorIndex RoundTrip(IVectorIndex index)
    {
        using var stream = new MemoryStream();
        ((HnswIndex)index).WriteTo(stream);
        stream.Position = 0;
        return HnswIndex.ReadFrom(stream);
    }
}

public sealed class ExactIndexContractTests : VectorIndexContractTests
{
    protected override IVectorIndex Create(int dims) => new ExactIndex(dims);

    protected override IVectorIndex RoundTrip(IVectorIndex index)
    {
        using var stream = new MemoryStream();
        ((ExactIndex)index).WriteTo(stream);
        stream.Position = 0;
        return ExactIndex.ReadFrom(stream);
    }
}
