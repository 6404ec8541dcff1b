using System.Text.RegularExpressions;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests;

/// <summary>
/// The engine's layering (docs/architecture.md), read from the source: which folder may name which. A folder
/// names another when a file in it has <c>using SemanticRouter.X;</c> or writes <c>SemanticRouter.X.</c>.
/// </summary>
public partial class ArchitectureTests
{
    private static readonly string CoreSource = Path.Combine(TestDirectory.RepositoryRoot, "src", "SemanticRouter.Core");

    [Theory]
    [InlineData("Engine")]
    [InlineData("Ranking")]
    [InlineData("RouteHead")]
    [InlineData("Settings")]
    [InlineData("Artifacts")]
    [InlineData("Outcomes")]
    [InlineData("Neighbors")]
    [InlineData("Index")]
    [InlineData("Routes")]
    [InlineData("Hosting")]
    [InlineData("Insight")]
    public void ServingPath_DoesNotNameEvaluation(string folder) =>
        Assert.DoesNotContain("Evaluation", Named(folder));

    [Fact]
    public void Outcomes_NameRoutes_ButNotRankingOrTheEngine()
    {
        var named = Named("Outcomes");
        Assert.Contains("Routes", named);
        Assert.DoesNotContain("Ranking", named);
        Assert.DoesNotContain("Engine", named);
        Assert.DoesNotContain("Neighbors", named);
    }

    [Fact]
    public void RouteHead_NamesNeitherRankingNorTheEngine()
    {
        var named = Named("RouteHead");
        Assert.DoesNotContain("Ranking", named);
        Assert.DoesNotContain("Engine", named);
        Assert.DoesNotContain("Artifacts", named);
    }

    [Fact]
    public void NothingBelowTheEngine_NamesIt()
    {
        foreach (var folder in new[] { "Ranking", "RouteHead", "Settings", "Artifacts", "Outcomes", "Neighbors", "Index", "Routes", "Embeddings", "Insight" })
        {
            Assert.DoesNotContain("Engine", Named(folder));
        }
    }

    [Fact]
    public void Engine_KnowsNothingOfAspNetOrGrpc()
    {
        // The web page and the gRPC service are shells over the engine (docs/architecture.md): the engine's
        // project references neither framework nor package of theirs, and no source file names them.
        string project = File.ReadAllText(Path.Combine(CoreSource, "SemanticRouter.Core.csproj"));
        Assert.DoesNotMatch(@"Microsoft\.AspNetCore|""Grpc\.|FrameworkReference", project);
        foreach (var file in Directory.EnumerateFiles(CoreSource, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            Assert.False(AspNetOrGrpc().IsMatch(File.ReadAllText(file)), $"{file} names ASP.NET Core or gRPC");
        }
    }

    [GeneratedRegex(@"\b(Microsoft\.AspNetCore|Grpc\.(Core|AspNetCore|Net))\b")]
    private static partial Regex AspNetOrGrpc();

    /// <summary>The SemanticRouter.* namespaces the folder's files name, other than its own.</summary>
    private static HashSet<string> Named(string folder)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(CoreSource, folder), "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match m in NamespaceReference().Matches(File.ReadAllText(file)))
            {
                named.Add(m.Groups[1].Value);
            }
        }

        named.Remove(folder);
        return named;
    }

    [GeneratedRegex(@"SemanticRouter\.(Routes|Embeddings|Index|Neighbors|Numerics|RouteHead|Outcomes|Ranking|Settings|Artifacts|Engine|Evaluation|IO|Formats|Insight)\b")]
    private static partial Regex NamespaceReference();
}
