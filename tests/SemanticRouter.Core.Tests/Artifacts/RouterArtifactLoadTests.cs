using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Artifacts;

/// <summary>
/// Loading reads each file once and parses the bytes it verified: a file whose checksum is right but
/// whose content is wrong (as a buggy writer would leave it) is refused by the parser, naming the
/// file and what is wrong.
/// </summary>
public class RouterArtifactLoadTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private string Build(TestDirectory dir)
    {
        string output = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(dir.CopyExampleRoutes(), fixture.Encoder, output, cancellationToken: TestContext.Current.CancellationToken);
        return output;
    }

    /// <summary>Replaces a file and records its new checksum in the manifest, as if it had been built so.</summary>
    private static void Rewrite(string index, string name, byte[] content)
    {
        File.WriteAllBytes(Path.Combine(index, name), content);
        string manifestPath = Path.Combine(index, ArtifactFiles.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![name] = new JsonObject
        {
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
            ["bytes"] = content.LongLength,
        };
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    [Fact]
    public void Load_ReportsWhereTheTimeWent()
    {
        using var dir = new TestDirectory();
        var t = RouterArtifact.Load(Build(dir)).LoadTimings;
        Assert.True(t.Graph > TimeSpan.Zero && t.Utterances > TimeSpan.Zero && t.Routes > TimeSpan.Zero);
        Assert.True(t.Total >= t.Routes && t.Total >= t.Graph);
    }

    [Fact]
    public void Load_UtterancesOutOfOrder_RefusedNamingTheLine()
    {
        using var dir = new TestDirectory();
        string index = Build(dir);
        string[] lines = File.ReadAllLines(Path.Combine(index, ArtifactFiles.Utterances));
        (lines[0], lines[1]) = (lines[1], lines[0]);
        Rewrite(index, ArtifactFiles.Utterances, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(index));
        Assert.Equal(Path.Combine(index, ArtifactFiles.Utterances), e.FilePath);
        Assert.Contains("line 1: expected {\"id\": 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UtteranceLineNotJson_RefusedNamingTheLine()
    {
        using var dir = new TestDirectory();
        string index = Build(dir);
        string[] lines = File.ReadAllLines(Path.Combine(index, ArtifactFiles.Utterances));
        lines[2] = "{\"id\": 2, \"route\": \"coding\", \"text\": ";
        Rewrite(index, ArtifactFiles.Utterances, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(index));
        Assert.Contains("line 3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedGraphWithMatchingChecksum_RefusedByTheParser()
    {
        using var dir = new TestDirectory();
        string index = Build(dir);
        byte[] graph = File.ReadAllBytes(Path.Combine(index, ArtifactFiles.Graph));
        Rewrite(index, ArtifactFiles.Graph, graph[..(graph.Length / 2)]);

        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(index));
        Assert.Equal(Path.Combine(index, ArtifactFiles.Graph), e.FilePath);
        Assert.DoesNotContain("sha256", e.Message, StringComparison.Ordinal);
        Assert.Contains("bytes", e.Message, StringComparison.Ordinal); // the header announces more than follows
    }

    [Fact]
    public void Load_GraphMissing_RefusedNamingIt()
    {
        using var dir = new TestDirectory();
        string index = Build(dir);
        File.Delete(Path.Combine(index, ArtifactFiles.Graph));
        var e = Assert.Throws<ArtifactException>(() => RouterArtifact.Load(index));
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }
}
