using System.Text;
using SemanticRouter.Routes;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Routes;

public sealed class RouteFileEditorTests : IDisposable
{
    private const string Odd = """
        # A file written by hand: comments, blank lines, odd quoting, flow lists.
        defaults:
          targets:   # shared by both routes
            - model: big
              prior: 0.7

        routes:
          - name: first   # trailing comment
            description: >-
              Folded description
              over two lines.
            utterances:
              - plain one
              - 'single ''quoted'''
              - "double \"quoted\""   # comment after the last item

              # a comment between routes
          - name: second
            description: d
            utterances: [ alpha,  'beta' ]
            metadata: {k: v}
          - name: third
            description: d
            utterances:
            - indentless
            - two
        # trailing comment at the end
        """;

    private readonly TestDirectory dir = new();

    public RouteFileEditorTests() => dir.Write("models.yaml", RouteCatalogTests.Models);

    public void Dispose() => dir.Dispose();

    private string WriteRoutes(string text) => dir.Write("r.yaml", text);

    /// <summary>The new content must be the old content with only <paramref name="inserted"/> added at one place.</summary>
    private static void AssertOnlyInserted(string before, string after, string inserted)
    {
        Assert.Equal(before.Length + inserted.Length, after.Length);
        var at = 0;
        while (at < before.Length && before[at] == after[at])
        {
            at++;
        }

        Assert.Equal(inserted, after.Substring(at, inserted.Length));
        Assert.Equal(before[at..], after[(at + inserted.Length)..]);
    }

    [Fact]
    public void AddUtterance_BlockList_AppendsAfterLastItemOnly()
    {
        var path = WriteRoutes(Odd);

        var result = RouteFileEditor.AddUtterance(dir.Path, "first", "  a new example  ");

        Assert.Equal(["a new example"], result.Added);
        Assert.Equal(path, result.File);
        var after = File.ReadAllText(path);
        // The last item is double-quoted, so the new one is too; same indentation as the list.
        AssertOnlyInserted(Odd, after, "      - \"a new example\"\n");
        Assert.Contains("# comment after the last item\n      - \"a new example\"\n\n      # a comment between routes", after, StringComparison.Ordinal);
        var route = RouteCatalog.Load(dir.Path)["first"];
        Assert.Equal(["plain one", "single 'quoted'", "double \"quoted\"", "a new example"], route.Utterances);
    }

    [Fact]
    public void AddUtterance_FlowList_InsertsBeforeClosingBracket()
    {
        var path = WriteRoutes(Odd);

        RouteFileEditor.AddUtterance(dir.Path, "second", "it's here");

        var after = File.ReadAllText(path);
        AssertOnlyInserted(Odd, after, ", 'it''s here'");
        Assert.Contains("utterances: [ alpha,  'beta', 'it''s here' ]", after, StringComparison.Ordinal);
        Assert.Equal(["alpha", "beta", "it's here"], RouteCatalog.Load(dir.Path)["second"].Utterances);
    }

    [Fact]
    public void AddUtterances_IndentlessList_PlainWhenSafe_QuotedOtherwise()
    {
        var path = WriteRoutes(Odd);

        RouteFileEditor.AddUtterances(dir.Path, "third", ["simple words", "yes", "a: b # c", "line\nbreak \"q\" \\ \t end"]);

        var after = File.ReadAllText(path);
        AssertOnlyInserted(Odd, after, "    - simple words\n    - \"yes\"\n    - \"a: b # c\"\n    - \"line\\nbreak \\\"q\\\" \\\\ \\t end\"\n");
        Assert.Equal(["indentless", "two", "simple words", "yes", "a: b # c", "line\nbreak \"q\" \\ \t end"], RouteCatalog.Load(dir.Path)["third"].Utterances);
    }

    [Fact]
    public void AddUtterance_CrLfBomAndNoFinalNewline_Preserved()
    {
        var text = "routes:\r\n  - name: r\r\n    description: d\r\n    targets: [{model: big, prior: 0.5}]\r\n    utterances:\r\n      - héllo wörld 😀\r\n      - second";
        var path = Path.Combine(dir.Path, "r.yaml");
        byte[] before = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)];
        File.WriteAllBytes(path, before);

        RouteFileEditor.AddUtterance(dir.Path, "r", "third");

        var after = File.ReadAllBytes(path);
        byte[] expected = [.. before, .. Encoding.UTF8.GetBytes("\r\n      - third\r\n")];
        Assert.Equal(expected, after);
        Assert.Equal(["héllo wörld 😀", "second", "third"], RouteCatalog.Load(dir.Path)["r"].Utterances);
    }

    [Fact]
    public void AddUtterance_ExampleRoutes_OtherFilesUntouched()
    {
        var routes = dir.CopyExampleRoutes();
        var before = Directory.EnumerateFiles(routes).ToDictionary(f => f, File.ReadAllBytes);

        RouteFileEditor.AddUtterance(routes, "translation", "how do I say \"cheers\" in Finnish");

        foreach (var (file, bytes) in before)
        {
            if (Path.GetFileName(file) != "writing.yaml")
            {
                Assert.Equal(bytes, File.ReadAllBytes(file));
            }
        }

        Assert.Equal(before.Keys.Order(), Directory.EnumerateFiles(routes).Order());
        Assert.Equal("how do I say \"cheers\" in Finnish", RouteCatalog.Load(routes)["translation"].Utterances[^1]);
    }

    [Fact]
    public void AddUtterance_LiteralBlockLastItem_And_FlowTrailingComma()
    {
        const string text = "routes:\n  - name: a\n    description: d\n    targets: [{model: big, prior: 0.5}]\n    utterances:\n      - |\n        two\n        lines\n\n  - name: b\n    description: d\n    targets: [{model: big, prior: 0.5}]\n    utterances: [\n      x,\n      y,  # last\n    ]\n";
        var path = WriteRoutes(text);

        RouteFileEditor.AddUtterance(dir.Path, "a", "after block");
        RouteFileEditor.AddUtterance(dir.Path, "b", "z");

        var catalog = RouteCatalog.Load(dir.Path);
        Assert.Equal(["two\nlines", "after block"], catalog["a"].Utterances);
        Assert.Equal(["x", "y", "z"], catalog["b"].Utterances);
        Assert.Contains("      y, \"z\",  # last\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain one")]
    [InlineData("  PLAIN   ONE ")]
    [InlineData("Alpha")]
    public void AddUtterance_Duplicate_RefusedAndFileUnchanged(string utterance)
    {
        var path = WriteRoutes(Odd);

        var e = Assert.Throws<RouteEditException>(() => RouteFileEditor.AddUtterance(dir.Path, "first", utterance));

        Assert.Equal(RouteEditErrorKind.DuplicateUtterance, e.Kind);
        Assert.Equal(Odd, File.ReadAllText(path));
    }

    [Fact]
    public void AddUtterances_DuplicateWithinBatch_Refused_OrSkipped()
    {
        var path = WriteRoutes(Odd);

        Assert.Throws<RouteEditException>(() => RouteFileEditor.AddUtterances(dir.Path, "first", ["new one", "New One"]));
        Assert.Equal(Odd, File.ReadAllText(path));

        var result = RouteFileEditor.AddUtterances(dir.Path, "first", ["new one", "New One", "plain one"], skipDuplicates: true);
        Assert.Equal(["new one"], result.Added);
        Assert.Equal(["New One", "plain one"], result.SkippedDuplicates);
    }

    [Fact]
    public void AddUtterance_UnknownRoute_Or_Empty_Refused()
    {
        WriteRoutes(Odd);

        var unknown = Assert.Throws<RouteEditException>(() => RouteFileEditor.AddUtterance(dir.Path, "frist", "x"));
        Assert.Equal(RouteEditErrorKind.UnknownRoute, unknown.Kind);
        Assert.Contains("did you mean 'first'", unknown.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<RouteEditException>(() => RouteFileEditor.AddUtterance(dir.Path, "first", "  "));
        Assert.Equal(RouteEditErrorKind.EmptyUtterance, empty.Kind);
    }

    [Fact]
    public void AddUtterance_InvalidFiles_RefusedWithValidationErrors()
    {
        WriteRoutes(Odd.Replace("model: big", "model: nope", StringComparison.Ordinal));

        Assert.Throws<RouteValidationException>(() => RouteFileEditor.AddUtterance(dir.Path, "first", "x"));
    }

    [Fact]
    public void AddUtterance_Concurrent_AllWritesLand_NoTempFilesLeft()
    {
        WriteRoutes(Odd);

        Parallel.For(0, 24, i => RouteFileEditor.AddUtterance(dir.Path, i % 2 == 0 ? "first" : "third", $"parallel example {i}"));

        var catalog = RouteCatalog.Load(dir.Path);
        Assert.Equal(12 + 3, catalog["first"].Utterances.Count);
        Assert.Equal(12 + 2, catalog["third"].Utterances.Count);
        Assert.Equal(["models.yaml", "r.yaml"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }
}
