using SemanticRouter.Routes;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Routes;

/// <summary>Every kind of error, each with its exact file and line.</summary>
public sealed class RouteValidationTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public RouteValidationTests() => dir.Write("models.yaml", RouteCatalogTests.Models);

    public void Dispose() => dir.Dispose();

    private IReadOnlyList<RouteValidationError> Errors()
    {
        var e = Assert.Throws<RouteValidationException>(() => RouteCatalog.Load(dir.Path));
        Assert.NotEmpty(e.Errors);
        return e.Errors;
    }

    private static void AssertError(IReadOnlyList<RouteValidationError> errors, string file, int line, string fragment)
    {
        Assert.Contains(errors, e => Path.GetFileName(e.File) == file && e.Line == line && e.Message.Contains(fragment, StringComparison.Ordinal));
    }

    /// <summary>Large route sets read their files in parallel; the errors must be those, and in the order, of a file-by-file read.</summary>
    [Fact]
    public void LargeRouteSet_ReadInParallel_ErrorsInFileOrder()
    {
        static string Route(string name, int from, int count) =>
            $"  - name: {name}\n    description: d\n    targets: [{{model: big, prior: 0.5}}]\n    utterances:\n"
            + string.Concat(Enumerable.Range(from, count).Select(i => $"      - utterance number {i} of the parallel read test\n"));

        // Four files of about 100 KB each (over the parallel threshold in all): a duplicate utterance in
        // c.yaml of one in a.yaml, a YAML syntax error in b.yaml, a duplicate route name in d.yaml.
        dir.Write("a.yaml", "routes:\n" + Route("alpha", 0, 2000));
        dir.Write("b.yaml", "routes:\n" + Route("beta", 2000, 2000) + "  - name: [unclosed\n");
        dir.Write("c.yaml", "routes:\n" + Route("gamma", 4000, 1999) + "      - utterance number 7 of the parallel read test\n");
        dir.Write("d.yaml", "routes:\n" + Route("alpha", 6000, 2000));

        var errors = Errors();

        Assert.Equal(["b.yaml", "c.yaml", "d.yaml"], errors.Select(e => Path.GetFileName(e.File)));
        Assert.Contains("YAML syntax error", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("a.yaml", errors[1].Message, StringComparison.Ordinal); // the duplicate names where it was first
        Assert.Contains("duplicate route name 'alpha'", errors[2].Message, StringComparison.Ordinal);
        Assert.Equal(2, errors[2].Line);
    }

    [Fact]
    public void DuplicateRouteNames_AcrossFiles_NamesBothPlaces()
    {
        dir.Write("a.yaml", """
            routes:
              - name: dup
                description: d
                utterances: [one]
                targets: [{model: big, prior: 0.5}]
            """);
        dir.Write("b.yaml", """
            # comment
            routes:
              - name: other
                description: d
                utterances: [two]
                targets: [{model: big, prior: 0.5}]
              - name: dup
                description: d
                utterances: [three]
                targets: [{model: big, prior: 0.5}]
            """);

        var errors = Errors();

        var error = Assert.Single(errors);
        Assert.Equal("b.yaml", Path.GetFileName(error.File));
        Assert.Equal(7, error.Line);
        Assert.Equal(11, error.Column);
        Assert.Contains("duplicate route name 'dup'", error.Message, StringComparison.Ordinal);
        Assert.Contains("a.yaml:2:11", error.Message, StringComparison.Ordinal);
        Assert.Matches(@"b\.yaml:7:11: duplicate route name", error.ToString());
    }

    [Fact]
    public void EmptyAndDuplicateUtterances_ReportedAtTheirLines()
    {
        dir.Write("r.yaml", """
            routes:
              - name: first
                description: d
                targets: [{model: big, prior: 0.5}]
                utterances:
                  - hello world
                  - ""
                  - "   "
                  -
                  - Hello   World
                  - shared text
              - name: second
                description: d
                targets: [{model: big, prior: 0.5}]
                utterances:
                  - SHARED text
            """);

        var errors = Errors();

        AssertError(errors, "r.yaml", 7, "empty utterance");
        AssertError(errors, "r.yaml", 8, "empty utterance");
        AssertError(errors, "r.yaml", 9, "empty utterance");
        AssertError(errors, "r.yaml", 10, "duplicate utterance \"Hello   World\" (first at line 6)");
        AssertError(errors, "r.yaml", 16, "also belongs to route 'first'");
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void UnknownModel_PriorOutOfRange_ThresholdOutOfRange()
    {
        dir.Write("r.yaml", """
            routes:
              - name: r
                description: d
                threshold: 1.5
                utterances: [x]
                targets:
                  - model: bgi
                    prior: 0.5
                  - model: small
                    prior: 1.2
                  - model: big
                    prior: -0.1
                  - model: small
                    prior: abc
            """);

        var errors = Errors();

        AssertError(errors, "r.yaml", 4, "'threshold' must be a number in [-1, 1]");
        AssertError(errors, "r.yaml", 7, "unknown target model 'bgi' (not in models.yaml; did you mean 'big'?)");
        AssertError(errors, "r.yaml", 10, "'prior' must be a number in [0, 1]");
        AssertError(errors, "r.yaml", 12, "'prior' must be a number in [0, 1]");
        AssertError(errors, "r.yaml", 13, "target model 'small' listed twice (first at line 9)");
        AssertError(errors, "r.yaml", 14, "'prior' must be a number in [0, 1]");
    }

    [Fact]
    public void MissingRequiredFields_ReportedAtTheRoute()
    {
        dir.Write("r.yaml", """
            routes:
              - name: r
                utterances: [x]
              - description: no name
                utterances: [y]
                targets: [{model: big}]
            """);

        var errors = Errors();

        AssertError(errors, "r.yaml", 2, "route 'r': missing required key 'description'");
        AssertError(errors, "r.yaml", 2, "route 'r': missing required key 'targets'");
        AssertError(errors, "r.yaml", 4, "route: missing required key 'name'");
        AssertError(errors, "r.yaml", 6, "missing required key 'prior'");
    }

    [Fact]
    public void UnknownKeys_SuggestTheIntendedOne()
    {
        dir.Write("r.yaml", """
            routes:
              - name: r
                description: d
                utterence: [x]
                utterances: [y]
                targets: [{model: big, prior: 0.5, weight: 2}]
            extra: 1
            """);

        var errors = Errors();

        AssertError(errors, "r.yaml", 4, "unknown key 'utterence' in a route (did you mean 'utterances'?)");
        AssertError(errors, "r.yaml", 6, "unknown key 'weight' in a target");
        AssertError(errors, "r.yaml", 7, "unknown key 'extra' in a route file");
    }

    [Fact]
    public void BadYaml_ReportsSyntaxErrorLine_AndOtherFilesStillChecked()
    {
        dir.Write("a.yaml", """
            routes:
              - name: a
                description: d
                utterances: [x, y
                targets: [{model: big, prior: 0.5}]
            """);
        dir.Write("b.yaml", """
            routes:
              - name: b
                description: d
                utterances: ["unterminated]
            """);
        dir.Write("c.yaml", """
            routes:
              - name: c
                description: d
                utterances: [z]
                targets: [{model: nope, prior: 0.5}]
            """);

        var errors = Errors();

        Assert.Equal(3, errors.Count);
        Assert.All(errors.Take(2), e => Assert.StartsWith("YAML syntax error", e.Message, StringComparison.Ordinal));
        Assert.Equal("a.yaml", Path.GetFileName(errors[0].File));
        Assert.InRange(errors[0].Line, 4, 5);
        Assert.Equal("b.yaml", Path.GetFileName(errors[1].File));
        Assert.InRange(errors[1].Line, 4, 5);
        AssertError(errors, "c.yaml", 5, "unknown target model 'nope'");
    }

    [Fact]
    public void DuplicateKey_IsAnError()
    {
        dir.Write("r.yaml", """
            routes:
              - name: r
                name: s
                description: d
                utterances: [x]
                targets: [{model: big, prior: 0.5}]
            """);

        var error = Assert.Single(Errors());
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void ModelCatalogErrors_AndMissingCatalog()
    {
        dir.Write("models.yaml", """
            models:
              - name: a
                cost: { input: -1, output: 2 }
              - name: a
                cost: { input: 1, output: 2 }
              - name: b
                cost: { input: 1 }
                max_context: lots
              - name: has space
                cost: { input: 1, output: 1 }
            """);
        dir.Write("r.yaml", "routes:\n  - {name: r, description: d, utterances: [x], targets: [{model: a, prior: 0.5}]}\n");

        var errors = Errors();

        AssertError(errors, "models.yaml", 3, "a cost must be a number >= 0");
        AssertError(errors, "models.yaml", 7, "missing required key 'output'");
        AssertError(errors, "models.yaml", 8, "'max_context' must be a positive whole number");
        AssertError(errors, "models.yaml", 9, "invalid model name 'has space'");

        File.Delete(Path.Combine(dir.Path, "models.yaml"));
        var missing = Assert.Single(Errors());
        Assert.Equal("models.yaml", Path.GetFileName(missing.File));
        Assert.Equal(0, missing.Line);
        Assert.Contains("no model catalogue", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidRouteName_AndWrongShapes()
    {
        dir.Write("r.yaml", """
            routes:
              - name: Bad Name
                description: d
                utterances: [x]
                targets: [{model: big, prior: 0.5}]
              - name: ok
                description: d
                utterances: hello
                targets: [{model: big, prior: 0.5}]
                metadata: { a: [1] }
              - just a string
            """);

        var errors = Errors();

        AssertError(errors, "r.yaml", 2, "invalid route name 'Bad Name'");
        AssertError(errors, "r.yaml", 8, "'utterances' must be a list of strings");
        AssertError(errors, "r.yaml", 10, "'metadata' must map strings to strings");
        AssertError(errors, "r.yaml", 11, "each route must be a mapping");
    }

    [Fact]
    public void EmptyFile_And_NoRoutes_AreErrors()
    {
        dir.Write("empty.yaml", "# nothing here\n");
        AssertError(Errors(), "empty.yaml", 0, "empty file");

        File.Delete(Path.Combine(dir.Path, "empty.yaml"));
        var error = Assert.Single(Errors());
        Assert.Contains("no routes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionMessage_ListsEveryError()
    {
        dir.Write("r.yaml", """
            routes:
              - name: r
                description: d
                utterances: ["", ""]
                targets: [{model: big, prior: 0.5}]
            """);

        var e = Assert.Throws<RouteValidationException>(() => RouteCatalog.Load(dir.Path));

        var lines = e.Message.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal("2 errors in route files:", lines[0]);
        Assert.EndsWith("r.yaml:4:18: route 'r': empty utterance", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("r.yaml:4:22: route 'r': empty utterance", lines[2], StringComparison.Ordinal);
    }
}
