using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Embeddings;
using SemanticRouter.Startup;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Startup;

public class RouterStartupTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private static readonly SentenceEncoderOptions Options = new() { IntraOpThreads = 1, UseOptimizedModelCache = false };

    [Fact]
    public void Load_GivesTheArtifactAndAWorkingEncoder_WithEveryPhaseTimed()
    {
        using var dir = new TestDirectory();
        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, cancellationToken: TestContext.Current.CancellationToken);

        var loaded = RouterStartup.Load(output, fixture.Encoder.Model, Options);
        using var encoder = loaded.Encoder;
        Assert.Equal(RouterArtifact.Load(output).Utterances.Count, loaded.Artifact.Utterances.Count);
        var u = loaded.Artifact.Utterances[5];
        Assert.Equal(u.Id, loaded.Artifact.Index.Search(encoder.Embed(u.Text), 1)[0].Id);

        var t = loaded.Timings;
        Assert.True(t.Artifact.Total > TimeSpan.Zero && t.EncoderSession > TimeSpan.Zero && t.EncoderWarmup > TimeSpan.Zero);
        Assert.True(t.Total >= t.Artifact.Total && t.Total >= t.EncoderSession);
        Assert.Equal(OptimizedModelCacheUse.Off, t.CacheUse);
        Assert.Equal(3, t.Describe().Count);
        Assert.Contains("optimised-model cache off", t.Describe()[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptArtifact_ReportsTheArtifactNotTheModel()
    {
        using var dir = new TestDirectory();
        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, cancellationToken: TestContext.Current.CancellationToken);
        string graph = Path.Combine(output, ArtifactFiles.Graph);
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[100] ^= 1;
        File.WriteAllBytes(graph, bytes);

        var e = Assert.Throws<ArtifactException>(() => RouterStartup.Load(output, fixture.Encoder.Model, Options));
        Assert.Equal(graph, e.FilePath);
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }
}
