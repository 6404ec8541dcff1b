using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;
using SemanticRouter.Settings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Artifacts;

public class IndexBuilderTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private static readonly HnswOptions Hnsw = new() { M = 8, EfConstruction = 64, Seed = 7 };

    [Fact]
    public void Build_ExampleRoutes_LoadsBackWithEveryUtterance()
    {
        using var dir = new TestDirectory();
        string output = Path.Combine(dir.Path, "index");
        string routes = Path.Combine(TestDirectory.RepositoryRoot, "routes");

        var summary = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);

        var catalog = RouteCatalog.Load(routes);
        Assert.False(summary.NoOp);
        Assert.Equal(catalog.UtteranceCount, summary.Utterances);
        Assert.Equal(summary.Utterances, summary.Embedded);
        var artifact = RouterArtifact.Load(output, fixture.Encoder.Model.Fingerprint);
        Assert.Equal(catalog.UtteranceCount, artifact.Utterances.Count);
        Assert.Equal(catalog.Routes.Count, artifact.Catalog.Routes.Count);
        Assert.Equal(catalog.ContentHash, artifact.Manifest.Routes.Hash);
        Assert.Equal(fixture.Encoder.Model.Fingerprint, artifact.Manifest.Model.Fingerprint);

        // Every utterance finds itself first: vectors and table line up.
        foreach (var u in artifact.Utterances.Take(25))
        {
            var hits = artifact.Index.Search(fixture.Encoder.Embed(u.Text), 1);
            Assert.Equal(u.Text, artifact.Utterances[hits[0].Id].Text);
        }
    }

    [Fact]
    public void Build_Twice_SecondIsNoOp_AndChangedFileReembedsOnlyNewUtterances()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string output = Path.Combine(dir.Path, "index");
        var first = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);
        DateTime written = File.GetLastWriteTimeUtc(Path.Combine(output, ArtifactFiles.Manifest));

        var second = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(second.NoOp);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(output, ArtifactFiles.Manifest)));

        RouteFileEditor.AddUtterance(routes, "maths", "integrate e to the power of minus x squared over the real line");
        var third = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(third.NoOp);
        Assert.Equal(1, third.Embedded);
        Assert.Equal(first.Utterances, third.Reused);
        Assert.NotEqual(first.Manifest.IndexVersion, third.Manifest.IndexVersion);
    }

    [Fact]
    public void Build_SameInputsIntoTwoDirectories_WritesTheSameGraphBytes()
    {
        // Past AddRange's parallel threshold (256 nodes), so the default must choose one insert
        // thread on purpose: the same index version has to name the same graph.
        using var dir = new TestDirectory();
        string routes = Path.Combine(dir.Path, "routes");
        Directory.CreateDirectory(routes);
        File.Copy(Path.Combine(TestDirectory.ExampleRoutes, "models.yaml"), Path.Combine(routes, "models.yaml"));
        string[] verbs = ["book", "cancel", "move", "price", "check", "share", "print", "rate"];
        string[] things = ["a flight", "my hotel", "the table", "a taxi", "the concert", "a train", "my car", "the room", "a tour", "the ferry"];
        var yaml = new System.Text.StringBuilder("routes:\n");
        for (int r = 0; r < 2; r++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - name: bulk{r}\n    description: synthetic bookings {r}\n    targets:\n      - model: gpt-4o\n        prior: 0.8\n    utterances:\n");
            for (int i = 0; i < 160; i++)
            {
                yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - {verbs[i % verbs.Length]} {things[(i / verbs.Length) % things.Length]} for day {i} option {r}\n");
            }
        }

        File.WriteAllText(Path.Combine(routes, "bulk.yaml"), yaml.ToString());
        var options = new HnswOptions { M = 8, EfConstruction = 64, Seed = 7 };
        string first = Path.Combine(dir.Path, "one");
        string second = Path.Combine(dir.Path, "two");
        var built = IndexBuilder.Build(routes, fixture.Encoder, first, options, cancellationToken: TestContext.Current.CancellationToken);
        IndexBuilder.Build(routes, fixture.Encoder, second, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(320, built.Utterances);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, ArtifactFiles.Graph)), File.ReadAllBytes(Path.Combine(second, ArtifactFiles.Graph)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Build_InsertThreadsNeitherPositiveNorMinusOne_Refused(int threads)
    {
        using var dir = new TestDirectory();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => IndexBuilder.Build(TestDirectory.ExampleRoutes, fixture.Encoder, Path.Combine(dir.Path, "index"), Hnsw, insertThreads: threads, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("insertThreads", e.ParamName);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "index")));
    }

    [Fact]
    public void Build_InvalidRoutes_WritesNothingAndKeepsPreviousArtifact()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string output = Path.Combine(dir.Path, "index");
        var first = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);

        File.AppendAllText(Path.Combine(routes, "maths.yaml"), "\n  - this: [is not valid\n");
        Assert.Throws<RouteValidationException>(() => IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken));

        var still = RouterArtifact.Load(output);
        Assert.Equal(first.Manifest.IndexVersion, still.Manifest.IndexVersion);
    }

    [Theory]
    [InlineData(ArtifactFiles.Graph)]
    [InlineData(ArtifactFiles.Utterances)]
    [InlineData("routes/maths.yaml")]
    public void Load_FlippedByte_RefusedNamingTheFile(string file)
    {
        using var dir = new TestDirectory();
        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);
        string path = Path.Combine(output, file);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(output));
        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(e.FilePath));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherModelFingerprint_Refused()
    {
        using var dir = new TestDirectory();
        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);

        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(output, new string('0', 64)));
        Assert.Contains("built with model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingOrForeignFormat_Refused()
    {
        using var dir = new TestDirectory();
        Assert.Throws<ArtifactException>(() => RouterArtifact.Load(Path.Combine(dir.Path, "nothing-here")));

        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, Hnsw, cancellationToken: TestContext.Current.CancellationToken);
        string manifest = Path.Combine(output, ArtifactFiles.Manifest);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format_version\": 1", "\"format_version\": 99", StringComparison.Ordinal));
        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(output));
        Assert.Contains("format version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RankingSettings_CarriedChecksummedAndVersioned_AndAbsentLeavesTheVersionAsItWas()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string output = Path.Combine(dir.Path, "index");
        var ct = TestContext.Current.CancellationToken;
        var settings = new RankingSettingsFile { K = 7, Temperature = 0.3, FittedOn = "a test" };

        var plain = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: ct);
        Assert.Null(RouterArtifact.Load(output).RankingSettings);
        Assert.False(File.Exists(Path.Combine(output, ArtifactFiles.RankingSettings)));

        var carried = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, rankingSettings: settings, cancellationToken: ct);
        Assert.False(carried.NoOp); // other settings, another index version: nothing else changed
        Assert.Equal(0, carried.Embedded);
        Assert.NotEqual(plain.Manifest.IndexVersion, carried.Manifest.IndexVersion);
        var loaded = RouterArtifact.Load(output).RankingSettings;
        Assert.NotNull(loaded);
        Assert.True(RankingSettingsFile.SameSettings(settings, loaded));
        Assert.Equal("a test", loaded.FittedOn);

        Assert.True(IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, rankingSettings: settings with { }, cancellationToken: ct).NoOp);
        var other = IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, rankingSettings: settings with { K = 8 }, cancellationToken: ct);
        Assert.NotEqual(carried.Manifest.IndexVersion, other.Manifest.IndexVersion);
        // Dropped again: back to the very version it had without (artefacts built before settings existed keep theirs).
        Assert.Equal(plain.Manifest.IndexVersion, IndexBuilder.Build(routes, fixture.Encoder, output, Hnsw, cancellationToken: ct).Manifest.IndexVersion);
        Assert.Null(RouterArtifact.Load(output).RankingSettings);
    }

    [Fact]
    public void RankingSettings_Edited_RefusedNamingTheFile()
    {
        using var dir = new TestDirectory();
        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, Hnsw, rankingSettings: new RankingSettingsFile { K = 7 }, cancellationToken: TestContext.Current.CancellationToken);
        string path = Path.Combine(output, ArtifactFiles.RankingSettings);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"k\": 7", "\"k\": 9", StringComparison.Ordinal));

        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(output));
        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(e.FilePath));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ManifestFormatVersion_IsFrozen() => Assert.Equal(1, ArtifactManifest.CurrentFormatVersion);
}
