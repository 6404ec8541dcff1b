using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;

namespace SemanticRouter.Core.Tests.Settings;

/// <summary>The precedence table of docs/ranking.md ("Which settings rank"), row by row.</summary>
public class RankingSettingsResolverTests
{
    private static readonly string[] Routes = ["chat", "coding", "maths"];

    private static readonly RouteHeadParameters Head = new() { K = 20, Temperature = double.PositiveInfinity, RouteHeadWeight = 0.8 };

    private static IndexRankingContext Index(RankingSettingsFile? carried = null, RouteHeadParameters? head = null) => new(carried, head, Routes);

    [Fact]
    public void NothingGiven_TheDefaults()
    {
        var resolved = RankingSettingsResolver.Resolve(Index());

        Assert.Equal(RankingOptions.Default.K, resolved.DefaultK);
        Assert.Equal(RankingOptions.Default.Temperature, resolved.Options.Temperature);
        Assert.Equal(RouteHeadUse.None, resolved.RouteHead);
        Assert.Empty(resolved.Warnings);
        Assert.Null(resolved.SettingsFile);
    }

    [Fact]
    public void ExplicitWinsOverTheFile_WhichWinsOverTheDefaults()
    {
        var file = new RankingSettingsFile { K = 50, Temperature = 0.2, UtteranceSmoothing = 1 };

        var resolved = RankingSettingsResolver.Resolve(Index(), file, new RankingOverrides { Temperature = 0.5, DefaultThreshold = 0.3 });

        Assert.Equal(50, resolved.DefaultK);                                   // the file
        Assert.Equal(0.5, resolved.Options.Temperature);                       // explicit over the file
        Assert.Equal(1, resolved.Options.UtteranceSmoothingStrength);          // the file
        Assert.Equal(RankingOptions.Default.RouteSmoothingStrength, resolved.Options.RouteSmoothingStrength); // the default
        Assert.Equal(0.3, resolved.Options.DefaultThreshold);                  // explicit (not a file setting)
    }

    [Fact]
    public void AGivenFile_ReplacesTheCarriedOne_NotMerged()
    {
        var carried = new RankingSettingsFile { K = 7, TextModelWeight = 0 };
        var given = new RankingSettingsFile { K = 4 };

        var onlyCarried = RankingSettingsResolver.Resolve(Index(carried));
        var withGiven = RankingSettingsResolver.Resolve(Index(carried), given);

        Assert.Equal((7, 0.0), (onlyCarried.DefaultK, onlyCarried.Options.TextModelWeight));
        Assert.Equal("the index's ranking-options.json", onlyCarried.SettingsSource);
        Assert.Equal((4, RankingOptions.DefaultTextModelWeight), (withGiven.DefaultK, withGiven.Options.TextModelWeight));
        Assert.Same(given, withGiven.SettingsFile);
    }

    [Fact]
    public void RouteHead_NoRouteHeadWeight_IntentRouting_TheHeadsFitWins_WithWarnings()
    {
        var file = new RankingSettingsFile { K = 12, Temperature = 0.3 } with { SourcePath = "intent.json" };

        var resolved = RankingSettingsResolver.Resolve(Index(head: Head), file, new RankingOverrides { Temperature = 0.4 });

        Assert.Equal(RouteHeadUse.FittedBlend, resolved.RouteHead);
        Assert.Equal(20, resolved.DefaultK);
        Assert.Equal(RankingSettingsResolver.PlainVoteTemperature, resolved.Options.Temperature); // the head's τ = ∞: a plain vote
        Assert.Equal(0.8, resolved.Options.RouteHeadWeight);                                      // the head's own α, not a silent 1
        Assert.Contains(resolved.Warnings, w => w.StartsWith("intent.json: k is ignored: the index has a fitted route head", StringComparison.Ordinal));
        Assert.Contains(resolved.Warnings, w => w.StartsWith("the given temperature is ignored: the index has a fitted route head", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void RouteHead_WithRouteHeadWeight_OutcomeRouting_TheSettingsKAndTauRank(double alpha)
    {
        var fromFile = RankingSettingsResolver.Resolve(Index(head: Head), new RankingSettingsFile { K = 12, Temperature = 0.3, RouteHeadWeight = alpha });
        var explicitly = RankingSettingsResolver.Resolve(Index(head: Head), null, new RankingOverrides { K = 12, Temperature = 0.3, RouteHeadWeight = alpha });

        foreach (var resolved in new[] { fromFile, explicitly })
        {
            Assert.Equal(RouteHeadUse.Weighted, resolved.RouteHead);
            Assert.Equal((12, 0.3, alpha), (resolved.DefaultK, resolved.Options.Temperature, resolved.Options.RouteHeadWeight));
            Assert.Empty(resolved.Warnings);
        }
    }

    [Fact]
    public void RouteHeadWeight_WithoutAHead_IsIgnoredWithAWarning()
    {
        var resolved = RankingSettingsResolver.Resolve(Index(), new RankingSettingsFile { K = 12, RouteHeadWeight = 0.5 } with { SourcePath = "outcome.json" });

        Assert.Equal(RouteHeadUse.None, resolved.RouteHead);
        Assert.Equal(0, resolved.Options.RouteHeadWeight);
        Assert.Equal(12, resolved.DefaultK);
        Assert.Equal(["outcome.json: route_head_weight is ignored: the index has no route head (fit --routes, then build, trains one)"], resolved.Warnings);
    }

    [Fact]
    public void NoIndex_TheRouteHeadWeightIsKept_ForAnEvaluationThatTrainsItsOwnHead()
    {
        var resolved = RankingSettingsResolver.Resolve(null, null, new RankingOverrides { K = 100, RouteHeadWeight = 0.5 });

        Assert.Equal((100, 0.5), (resolved.DefaultK, resolved.Options.RouteHeadWeight));
        Assert.Empty(resolved.Warnings);
    }

    [Theory]
    [InlineData("k", "1001", "K must be in [1, 1000].")]
    [InlineData("temperature", "0", "Temperature must be positive and finite.")]
    [InlineData("route_head_weight", "1.5", "RouteHeadWeight must be in [0, 1].")]
    public void ExplicitValueOutOfRange_RefusedNamingTheKey(string key, string value, string problem)
    {
        var overrides = key switch
        {
            "k" => new RankingOverrides { K = 1001 },
            "temperature" => new RankingOverrides { Temperature = 0 },
            _ => new RankingOverrides { RouteHeadWeight = 1.5 },
        };

        var e = Assert.Throws<RankingSettingsException>(() => RankingSettingsResolver.Resolve(Index(), null, overrides));

        Assert.Equal((key, value, problem), (e.Key, e.Value, e.Problem));
        Assert.Equal($"{key} {value}: {problem}", e.Message);
    }

    [Fact]
    public void FallbackRoute_TheIndexDoesNotHave_RefusedListingItsRoutes()
    {
        var e = Assert.Throws<RankingSettingsException>(() => RankingSettingsResolver.Resolve(Index(), null, new RankingOverrides { FallbackRoute = "nope" }));

        Assert.Equal("fallback_route", e.Key);
        Assert.Equal("is not a route of the index (routes: chat, coding, maths)", e.Problem);
        Assert.Equal("chat", RankingSettingsResolver.Resolve(Index(), null, new RankingOverrides { FallbackRoute = "chat" }).Options.FallbackRoute);
    }

    [Fact]
    public void OneMaximumK_Everywhere()
    {
        Assert.Equal(1000, RankingOptions.MaxK);
        Assert.Throws<InvalidDataException>(() => RankingSettingsFile.FromJson("""{"k": 1001}"""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RankingOptions { K = RankingOptions.MaxK + 1 });
    }
}
