using Microsoft.Extensions.AI;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Core.Tests.Embeddings;

public class CachingEmbeddingGeneratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_RepeatedText_HitSkipsInner()
    {
        var inner = new CallbackEmbeddingGenerator();
        var lookups = new List<bool>();
        using var cache = new CachingEmbeddingGenerator(inner, onLookup: lookups.Add);
        var a = await cache.GenerateAsync(["hello"], cancellationToken: Ct);
        var b = await cache.GenerateAsync(["hello"], cancellationToken: Ct);
        Assert.Same(a[0], b[0]);
        Assert.Single(inner.Calls);
        Assert.Equal((1L, 1L, 0.5), (cache.Hits, cache.Misses, cache.HitRate));
        Assert.Equal([false, true], lookups);
    }

    [Fact]
    public async Task GenerateAsync_OverCapacity_EvictsLeastRecentlyUsed()
    {
        var inner = new CallbackEmbeddingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner, capacity: 2);
        await cache.GenerateAsync(["a"], cancellationToken: Ct);
        await cache.GenerateAsync(["bb"], cancellationToken: Ct);
        await cache.GenerateAsync(["a"], cancellationToken: Ct);   // a is now most recent
        await cache.GenerateAsync(["ccc"], cancellationToken: Ct); // evicts bb
        Assert.Equal(2, cache.Count);
        var before = inner.Calls.Count;
        await cache.GenerateAsync(["a"], cancellationToken: Ct);
        Assert.Equal(before, inner.Calls.Count);
        await cache.GenerateAsync(["bb"], cancellationToken: Ct);
        Assert.Equal(before + 1, inner.Calls.Count);
    }

    [Fact]
    public async Task GenerateAsync_SeveralTexts_OnlyMissesSentInOneCall()
    {
        var inner = new CallbackEmbeddingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);
        await cache.GenerateAsync(["a", "bb"], cancellationToken: Ct);
        var result = await cache.GenerateAsync(["bb", "ccc", "a", "dddd"], cancellationToken: Ct);
        Assert.Equal([2f, 3f, 1f, 4f], result.Select(e => e.Vector.Span[0]));
        Assert.Equal(["ccc", "dddd"], inner.Calls.Last());
    }

    [Fact]
    public async Task GenerateAsync_WithOptions_Bypasses()
    {
        var inner = new CallbackEmbeddingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);
        await cache.GenerateAsync(["a"], new EmbeddingGenerationOptions(), Ct);
        await cache.GenerateAsync(["a"], new EmbeddingGenerationOptions(), Ct);
        Assert.Equal(2, inner.Calls.Count);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task GenerateAsync_Concurrent_StaysBoundedAndCorrect()
    {
        var inner = new CallbackEmbeddingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner, capacity: 16);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                var text = new string('q', 1 + ((worker * 7 + i) % 40));
                var result = await cache.GenerateAsync([text], cancellationToken: Ct);
                Assert.Equal(text.Length, result[0].Vector.Span[0]);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(cache.Count <= 16);
        Assert.Equal(4000, cache.Hits + cache.Misses);
    }
}
