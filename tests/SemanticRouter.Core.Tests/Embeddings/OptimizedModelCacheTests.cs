using Microsoft.ML.OnnxRuntime;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Embeddings;

public class OptimizedModelCacheTests
{
    private static readonly string[] Sentences = ["how do I reset my password?", "write a haiku about autumn", "what is the capital of australia"];

    private static SentenceEncoder Open(string? cacheDirectory, bool use = true, GraphOptimizationLevel? level = null) =>
        SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1, OptimizedModelCacheDirectory = cacheDirectory, UseOptimizedModelCache = use, GraphOptimizationLevel = level });

    private static float[] EmbedAll(SentenceEncoder encoder)
    {
        float[] all = new float[Sentences.Length * encoder.Dimensions];
        encoder.Embed(Sentences, all);
        return all;
    }

    private static void AssertSameVectors(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"component {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void FirstStartWritesTheEntry_NextStartLoadsIt_AndBothEmbedAlike()
    {
        using var dir = new TestDirectory();
        using var first = Open(dir.Path);
        Assert.Equal(OptimizedModelCacheUse.Written, first.CacheUse);
        string entry = Assert.Single(Directory.GetFiles(dir.Path));
        Assert.EndsWith(".onnx", entry, StringComparison.Ordinal);
        Assert.StartsWith("all-MiniLM-L6-v2-", Path.GetFileName(entry), StringComparison.Ordinal);

        using var second = Open(dir.Path);
        Assert.Equal(OptimizedModelCacheUse.Hit, second.CacheUse);
        AssertSameVectors(EmbedAll(first), EmbedAll(second));

        using var plain = Open(null, use: false);
        Assert.Equal(OptimizedModelCacheUse.Off, plain.CacheUse);
        AssertSameVectors(EmbedAll(plain), EmbedAll(second));
    }

    [Fact]
    public void UnreadableEntry_IsReplaced()
    {
        using var dir = new TestDirectory();
        using (var first = Open(dir.Path))
        {
            Assert.Equal(OptimizedModelCacheUse.Written, first.CacheUse);
        }

        string entry = Assert.Single(Directory.GetFiles(dir.Path));
        File.WriteAllText(entry, "not a model");
        using var again = Open(dir.Path);
        Assert.Equal(OptimizedModelCacheUse.Written, again.CacheUse);
        Assert.True(new FileInfo(entry).Length > 1_000_000);
        using var plain = Open(null, use: false);
        AssertSameVectors(EmbedAll(plain), EmbedAll(again));
    }

    [Fact]
    public void UnwritableDirectory_FallsBackToOptimisingAsLoaded()
    {
        using var dir = new TestDirectory();
        string file = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(file, "x");
        using var encoder = Open(Path.Combine(file, "cache")); // a directory under a file cannot be created
        Assert.Equal(OptimizedModelCacheUse.Unavailable, encoder.CacheUse);
        Assert.Equal(384, encoder.Embed("still works").Length);
    }

    [Fact]
    public void Off_WritesNothing()
    {
        using var dir = new TestDirectory();
        using var encoder = Open(dir.Path, use: false);
        Assert.Equal(OptimizedModelCacheUse.Off, encoder.CacheUse);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void EntriesAreKeyedByOptimisationLevel()
    {
        var model = ModelFolder.Open(SharedPaths.MiniLmModel);
        Assert.NotEqual(
            OptimizedModelCache.PathFor("/c", model, GraphOptimizationLevel.ORT_ENABLE_ALL),
            OptimizedModelCache.PathFor("/c", model, GraphOptimizationLevel.ORT_ENABLE_EXTENDED));
        Assert.Equal(
            OptimizedModelCache.PathFor("/c", model, GraphOptimizationLevel.ORT_ENABLE_ALL),
            OptimizedModelCache.PathFor("/c", model, GraphOptimizationLevel.ORT_ENABLE_ALL));
    }

    [Fact]
    public void DefaultThreads_AreEveryCoreOfTheProcess()
    {
        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { UseOptimizedModelCache = false });
        Assert.Equal(Environment.ProcessorCount, encoder.IntraOpThreads);
        Assert.Equal(SentenceEncoderOptions.DefaultSpinning, encoder.Spinning);
    }
}
