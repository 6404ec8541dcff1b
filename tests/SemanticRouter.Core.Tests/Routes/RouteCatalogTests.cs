using SemanticRouter.Routes;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Routes;

public class RouteCatalogTests
{
    internal const string Models = """
        models:
          - name: big
            cost: { input: 3, output: 15 }
            max_context: 200000
          - name: small
            cost:
              input: 0.15
              output: 0.6
        """;

    [Fact]
    public void Load_ExampleRoutes_AllRoutesValidAndRealistic()
    {
        var catalog = RouteCatalog.Load(TestDirectory.ExampleRoutes);

        string[] expected = ["coding", "maths", "summarisation", "translation", "creative_writing", "chitchat",
            "medical_advice", "legal_advice", "data_extraction", "reasoning"];
        Assert.Equal(expected.Order(), catalog.Routes.Select(r => r.Name).Order());
        foreach (var route in catalog.Routes)
        {
            Assert.False(string.IsNullOrWhiteSpace(route.Description));
            Assert.InRange(route.Utterances.Count, 15, 30);
            Assert.InRange(route.Targets.Count, 2, 4);
            Assert.All(route.Targets, t => Assert.True(catalog.Models.Contains(t.Model)));
            Assert.NotNull(route.Threshold);
            Assert.True(route.Line > 0);
        }

        Assert.True(catalog.Models.Count >= 8);
        Assert.Equal(2.5, catalog.Models["gpt-4o"].InputCostPerMillionTokens);
        Assert.Equal(128000, catalog.Models["gpt-4o"].MaxContextTokens);
        Assert.Equal(64, catalog.ContentHash.Length);
    }

    [Fact]
    public void Load_DefaultsInFile_AppliedUnlessOverridden()
    {
        var catalog = RouteCatalog.Load(TestDirectory.ExampleRoutes);

        var chitchat = catalog["chitchat"];
        Assert.Equal(["llama-3.1-8b-instruct", "gpt-4o-mini"], chitchat.Targets.Select(t => t.Model));
        Assert.Equal("conversation", chitchat.Metadata["category"]);
        var medical = catalog["medical_advice"];
        Assert.Equal("true", medical.Metadata["sensitive"]);
        Assert.Equal("health", medical.Metadata["domain"]);
    }

    [Fact]
    public void Load_ValidFiles_ReadsEveryField()
    {
        using var dir = new TestDirectory();
        dir.Write("models.yaml", Models);
        var file = dir.Write("a.yaml", """
            defaults:
              threshold: 0.3
            routes:
              - name: one
                description: First
                utterances: [hello there, "  general kenobi  "]
                targets:
                  - model: big
                    prior: 0.9
                metadata: { team: x }
              - name: two
                description: Second
                threshold: -0.5
                utterances:
                  - 'it''s me'
                targets: [{ model: small, prior: 0 }, { model: big, prior: 1 }]
            """);

        var catalog = RouteCatalog.Load(dir.Path);

        var one = catalog["one"];
        Assert.Equal(["hello there", "general kenobi"], one.Utterances);
        Assert.Equal(0.3, one.Threshold);
        Assert.Equal("x", one.Metadata["team"]);
        Assert.Equal(file, one.SourceFile);
        Assert.Equal(4, one.Line);
        var two = catalog["two"];
        Assert.Equal(-0.5, two.Threshold);
        Assert.Equal(["it's me"], two.Utterances);
        Assert.Equal([new RouteTarget("small", 0), new RouteTarget("big", 1)], two.Targets);
        Assert.Equal(3, catalog.UtteranceCount);
        Assert.Null(catalog.Models["small"].MaxContextTokens);
        Assert.False(catalog.TryGetRoute("three", out _));
        Assert.Throws<KeyNotFoundException>(() => catalog["three"]);
    }

    [Fact]
    public void ContentHash_SameBytes_SameHash_AnyChange_NewHash()
    {
        using var a = new TestDirectory();
        using var b = new TestDirectory();
        var ra = a.CopyExampleRoutes();
        var rb = b.CopyExampleRoutes();
        var first = RouteCatalog.Load(ra).ContentHash;
        Assert.Equal(first, RouteCatalog.Load(rb).ContentHash);

        File.AppendAllText(Path.Combine(rb, "maths.yaml"), "# a comment\n");
        Assert.NotEqual(first, RouteCatalog.Load(rb).ContentHash);
    }

    [Fact]
    public void Load_SkipsHiddenAndOtherFiles_NotRecursive()
    {
        using var dir = new TestDirectory();
        dir.Write("models.yaml", Models);
        dir.Write("r.yml", "routes:\n  - {name: r, description: d, utterances: [x], targets: [{model: big, prior: 0.5}]}\n");
        dir.Write(".hidden.yaml", "not: [valid");
        dir.Write("notes.txt", "whatever");
        dir.Write("sub/more.yaml", "not: [valid");

        var catalog = RouteCatalog.Load(dir.Path);

        Assert.Equal(["r"], catalog.Routes.Select(r => r.Name));
        Assert.Equal(2, catalog.Files.Count);
    }

    [Fact]
    public void Load_MissingDirectory_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => RouteCatalog.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
    }

    [Fact]
    public void ModelCatalogLoad_ReadsAnyFileName()
    {
        using var dir = new TestDirectory();
        var path = dir.Write("catalogue.yaml", Models);

        var models = ModelCatalog.Load(path);

        Assert.Equal(["big", "small"], models.Models.Select(m => m.Name));
        Assert.Equal(0.6, models["small"].OutputCostPerMillionTokens);
    }

    [Theory]
    [InlineData("card_arrival", true)]
    [InlineData("a.b-c_9", true)]
    [InlineData("Card", false)]
    [InlineData("_x", false)]
    [InlineData("x y", false)]
    [InlineData("", false)]
    public void IsValidRouteName_FollowsPattern(string name, bool valid) => Assert.Equal(valid, RouteNames.IsValidRouteName(name));

    [Fact]
    public void UtteranceKey_TrimsCollapsesAndLowerCases() =>
        Assert.Equal("hello world", RouteNames.DuplicateKey("  Hello \n\t WORLD "));
}
