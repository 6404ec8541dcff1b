using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Embeddings;

/// <summary>One session for the whole class: loading the model is the slow part.</summary>
public sealed class EncoderFixture : IDisposable
{
    public SentenceEncoder Encoder { get; } = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 2 });

    public void Dispose() => Encoder.Dispose();
}

public class SentenceEncoderTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private const float MinCosine = 0.9999f;

    private SentenceEncoder Encoder => fixture.Encoder;

    [Fact]
    public void Embed_BatchOf32_EveryGoldenSentenceMatchesReference()
    {
        var cases = Golden.Embeddings;
        float[] all = new float[cases.Length * Encoder.Dimensions];
        Encoder.Embed(cases.Select(c => c.Text).ToArray(), all);
        AssertParity(cases, i => all.AsSpan(i * Encoder.Dimensions, Encoder.Dimensions).ToArray());
    }

    [Fact]
    public void Embed_OneAtATime_EveryGoldenSentenceMatchesReference()
    {
        var cases = Golden.Embeddings;
        AssertParity(cases, i => Encoder.Embed(cases[i].Text));
    }

    private static void AssertParity(Golden.EmbeddingCase[] cases, Func<int, float[]> embed)
    {
        Assert.Equal(997, cases.Length);
        float worst = 1;
        var failures = new List<string>();
        for (int i = 0; i < cases.Length; i++)
        {
            float[] ours = embed(i);
            float cosine = TensorPrimitives.CosineSimilarity(ours, cases[i].Embedding);
            worst = Math.Min(worst, cosine);
            if (!(cosine >= MinCosine))
            {
                failures.Add($"line {cases[i].Line}: cosine {cosine}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} below {MinCosine} (worst {worst}):\n{string.Join("\n", failures.Take(20))}");
    }

    [Fact]
    public void Embed_Vector_IsUnitLength()
    {
        float[] v = Encoder.Embed("how do I reset my password?");
        Assert.Equal(384, v.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(v), 4);
    }

    [Fact]
    public void Embed_ManyTexts_KeepsInputOrderAfterLengthSorting()
    {
        string[] texts = Enumerable.Range(0, 70).Select(i => string.Join(" ", Enumerable.Repeat("word", (i * 7) % 23 + 1)) + $" {i}").ToArray();
        float[] batched = new float[texts.Length * 384];
        Encoder.Embed(texts, batched);
        for (int i = 0; i < texts.Length; i += 9)
        {
            float cos = TensorPrimitives.CosineSimilarity(Encoder.Embed(texts[i]), batched.AsSpan(i * 384, 384));
            Assert.True(cos > 0.99999f, $"text {i}: {cos}");
        }
    }

    [Fact]
    public void Embed_DestinationTooSmall_Throws()
        => Assert.Throws<ArgumentException>(() => Encoder.Embed(["a", "b"], new float[384]));

    [Fact]
    public async Task GenerateAsync_ReturnsOneEmbeddingPerValueWithModelId()
    {
        var result = await ((IEmbeddingGenerator<string, Embedding<float>>)Encoder).GenerateAsync(["hello", "world"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, result.Count);
        Assert.Equal("all-MiniLM-L6-v2", result[0].ModelId);
        Assert.Equal(Encoder.Embed("world"), result[1].Vector.ToArray());
    }

    [Fact]
    public void GetService_ReturnsMetadataAndModelFolder()
    {
        var metadata = Encoder.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Same(Encoder.Model, Encoder.GetService<ModelFolder>());
        Assert.Same(Encoder, Encoder.GetService<SentenceEncoder>());
    }

    [Fact]
    public void Tokenize_MatchesGolden()
        => Assert.Equal(Golden.Tokens[2].Ids, Encoder.Tokenize(Golden.Tokens[2].Text));

    [Fact]
    public async Task Embed_Concurrently_GivesSameVectors()
    {
        float[] expected = Encoder.Embed("parallel query");
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Encoder.Embed("parallel query"), TestContext.Current.CancellationToken));
        foreach (float[] v in await Task.WhenAll(tasks))
        {
            Assert.Equal(expected, v);
        }
    }
}
