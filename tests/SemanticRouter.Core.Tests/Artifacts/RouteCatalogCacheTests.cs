using System.Text;
using SemanticRouter.Artifacts;
using SemanticRouter.Routes;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Artifacts;

/// <summary>The parsed-catalogue cache gives exactly what parsing the same bytes gives, and only for those bytes.</summary>
public sealed class RouteCatalogCacheTests : IDisposable
{
    private readonly TestDirectory dir = new();

    private string CacheDir => Path.Combine(dir.Path, "cache");

    public void Dispose() => dir.Dispose();

    /// <summary>The example models.yaml and one route file of 4,000 utterances (over the cache's threshold), with defaults, metadata and a threshold.</summary>
    private static List<(string Path, byte[] Content)> LargeSet(string changed = "")
    {
        var routes = new StringBuilder("defaults:\n  metadata: { owner: team-a }\n  targets:\n    - model: gpt-4o\n      prior: 0.7\nroutes:\n");
        for (int r = 0; r < 2; r++)
        {
            routes.Append(r == 0
                ? "  - name: first\n    description: \"The first route: quoted, with a colon\"\n    threshold: 0.42\n    metadata: { tier: gold }\n    utterances:\n"
                : "  - name: second\n    description: Second route.\n    targets:\n      - { model: gpt-4o-mini, prior: 0.55 }\n      - { model: gpt-4o, prior: 0.8 }\n    utterances:\n");
            for (int i = 0; i < 2000; i++)
            {
                routes.Append($"      - 'utterance {r}-{i}{changed} of the cache test, long enough to make the file large'\n");
            }
        }

        string models = File.ReadAllText(Path.Combine(TestDirectory.RepositoryRoot, "routes", "models.yaml"));
        return [("/idx/routes/models.yaml", Encoding.UTF8.GetBytes(models)), ("/idx/routes/big.yaml", Encoding.UTF8.GetBytes(routes.ToString()))];
    }

    private RouteCatalog Load(List<(string Path, byte[] Content)> files, out RouteCatalogSource source) =>
        RouteCatalogCache.Load(files, "/idx/routes/models.yaml", out source, CacheDir);

    private string[] WaitForEntries(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            string[] entries = Directory.Exists(CacheDir) ? Directory.GetFiles(CacheDir, "*.bin") : [];
            if (entries.Length >= count)
            {
                return entries;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{entries.Length} cache entries, {count} expected");
            Thread.Sleep(20);
        }
    }

    private static void AssertSame(RouteCatalog expected, RouteCatalog actual)
    {
        Assert.Equal(expected.ContentHash, actual.ContentHash);
        Assert.Equal(expected.Files, actual.Files);
        Assert.Equal(expected.UtteranceCount, actual.UtteranceCount);
        Assert.Equal(expected.Models.SourceFile, actual.Models.SourceFile);
        Assert.Equal(expected.Models.Count, actual.Models.Count);
        foreach (var (e, a) in expected.Models.Models.Zip(actual.Models.Models))
        {
            Assert.Equal(e with { Metadata = TargetModel.EmptyMetadata }, a with { Metadata = TargetModel.EmptyMetadata });
            Assert.Equal(e.Metadata.OrderBy(kv => kv.Key), a.Metadata.OrderBy(kv => kv.Key));
        }

        Assert.Equal(expected.Routes.Count, actual.Routes.Count);
        foreach (var (e, a) in expected.Routes.Zip(actual.Routes))
        {
            Assert.Equal((e.Name, e.Description, e.Threshold, e.SourceFile, e.Line), (a.Name, a.Description, a.Threshold, a.SourceFile, a.Line));
            Assert.Equal(e.Utterances, a.Utterances);
            Assert.Equal(e.Targets, a.Targets);
            Assert.Equal(e.Metadata.OrderBy(kv => kv.Key), a.Metadata.OrderBy(kv => kv.Key));
        }
    }

    [Fact]
    public void LargeSet_SecondLoad_FromTheCache_SameCatalogueAsParsing()
    {
        var files = LargeSet();
        var parsed = RouteCatalog.FromContents(files, "/idx/routes/models.yaml");

        var first = Load(files, out var firstSource);
        Assert.Equal(RouteCatalogSource.ParsedAndCached, firstSource);
        WaitForEntries(1);
        var second = Load(files, out var secondSource);

        Assert.Equal(RouteCatalogSource.Cache, secondSource);
        AssertSame(parsed, first);
        AssertSame(parsed, second);
        Assert.Equal(0.42, second["first"].Threshold);
        Assert.Equal("gold", second["first"].Metadata["tier"]);
        Assert.Equal("team-a", second["second"].Metadata["owner"]);
    }

    [Fact]
    public void AlteredEntry_Refused_FilesParsedAndEntryRewritten()
    {
        var files = LargeSet();
        Load(files, out _);
        string entry = Assert.Single(WaitForEntries(1));
        byte[] bytes = File.ReadAllBytes(entry);
        bytes[bytes.Length / 2] ^= 0x20; // one flipped bit in an utterance
        File.WriteAllBytes(entry, bytes);

        var reloaded = Load(files, out var source);

        Assert.Equal(RouteCatalogSource.ParsedAndCached, source);
        AssertSame(RouteCatalog.FromContents(files, "/idx/routes/models.yaml"), reloaded);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (File.Exists(entry) && File.ReadAllBytes(entry).AsSpan().SequenceEqual(bytes))
        {
            Assert.True(DateTime.UtcNow < deadline, "the altered entry was not rewritten");
            Thread.Sleep(20);
        }

        Load(files, out var again);
        Assert.Equal(RouteCatalogSource.Cache, again);
    }

    [Fact]
    public void OtherBytes_OtherEntry_NeverTheCachedCatalogue()
    {
        Load(LargeSet(), out _);
        WaitForEntries(1);

        var changed = Load(LargeSet(changed: "x"), out var source);

        Assert.Equal(RouteCatalogSource.ParsedAndCached, source);
        Assert.Contains("x of the cache test", changed["first"].Utterances[0], StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidFiles_StillRefused_NothingCached()
    {
        var files = LargeSet();
        files[1] = (files[1].Path, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files[1].Content).Replace("model: gpt-4o-mini", "model: no-such-model", StringComparison.Ordinal)));

        Assert.Throws<RouteValidationException>(() => Load(files, out _));
        Thread.Sleep(200);
        Assert.False(Directory.Exists(CacheDir) && Directory.GetFiles(CacheDir).Length > 0);
    }

    [Fact]
    public void SmallSet_Parsed_NotCached()
    {
        var files = new List<(string Path, byte[] Content)>
        {
            ("/idx/routes/models.yaml", Encoding.UTF8.GetBytes(Routes.RouteCatalogTests.Models)),
            ("/idx/routes/a.yaml", "routes:\n  - name: a\n    description: d\n    utterances: [one]\n    targets: [{model: big, prior: 0.5}]\n"u8.ToArray()),
        };

        Load(files, out var source);

        Assert.Equal(RouteCatalogSource.Parsed, source);
        Assert.False(Directory.Exists(CacheDir));
    }
}
