using SemanticRouter.Evaluation;
using SemanticRouter.Ranking;

namespace SemanticRouter.Core.Tests.Evaluation;

public class ServedSettingsGridTests
{
    [Fact]
    public void Parse_ReplacesTheListsNamed_SortedWithoutRepeats_AndKeepsTheRest()
    {
        var grid = ServedSettingsGrid.Parse(" k = 400, 100,200,100 ; temperature=1,0.5 ;", ServedSettingsGrid.Default);

        Assert.Equal([100, 200, 400], grid.K);
        Assert.Equal([0.5, 1.0], grid.Temperature);
        Assert.Equal(ServedSettingsGrid.Default.UtteranceSmoothing, grid.UtteranceSmoothing);
        Assert.Equal(ServedSettingsGrid.Default.TextModelWeight, grid.TextModelWeight);
        Assert.Equal(3 * 2 * 3 * 4, grid.Points);
        Assert.Equal([0.0], grid.RouteHeadWeight);
        Assert.False(grid.UsesRouteHead);
    }

    [Fact]
    public void Parse_RouteHeadWeight_MultipliesThePoints_AndTurnsTheClassifierOn()
    {
        var grid = ServedSettingsGrid.Parse("route_head_weight=1,0,0.5", ServedSettingsGrid.Default);

        Assert.Equal([0.0, 0.5, 1.0], grid.RouteHeadWeight);
        Assert.True(grid.UsesRouteHead);
        Assert.Equal(ServedSettingsGrid.Default.Points * 3, grid.Points);
    }

    [Theory]
    [InlineData("tau=0.1", "unknown key 'tau'")]
    [InlineData("k", "'k' is not KEY=V1,V2,…")]
    [InlineData("k=", "k: no values")]
    [InlineData("k=2.5", "k: '2.5' is not a whole number")]
    [InlineData("k=0", "k 0: K must be in [1, 1000].")]
    [InlineData("temperature=fast", "temperature: 'fast' is not a number")]
    [InlineData("temperature=0", "temperature 0: Temperature must be positive and finite.")]
    [InlineData("text_model_weight=1", "text_model_weight 1: TextModelWeight must be in [0, 1).")]
    [InlineData("route_head_weight=1.5", "route_head_weight 1.5: RouteHeadWeight must be in [0, 1].")]
    public void Parse_BadSpec_NamesWhatIsWrong(string spec, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServedSettingsGrid.Parse(spec, ServedSettingsGrid.Default));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AtEdge_NamesSettingsAtTheEndOfTheirList_ButNotTheTextModelOff_OrASingleValue()
    {
        var grid = new ServedSettingsGrid([25, 50, 200], [0.1], [1, 4, 10], [0, 0.2, 0.5]);

        var edges = grid.AtEdge(new RankingOptions { K = 200, Temperature = 0.1, UtteranceSmoothingStrength = 1, TextModelWeight = 0 });
        var inside = grid.AtEdge(new RankingOptions { K = 50, Temperature = 0.1, UtteranceSmoothingStrength = 4, TextModelWeight = 0.2 });

        Assert.Equal(["k 200 (the largest tried)", "utterance_smoothing 1 (the smallest tried)"], edges);
        Assert.Empty(inside);
    }

    [Fact]
    public void AtEdge_RouteHeadWeight_OnlyAnEndInsideItsRange()
    {
        var full = new ServedSettingsGrid([25], [0.1], [1], [0]) { RouteHeadWeight = [0, 0.5, 1] };
        var narrow = full with { RouteHeadWeight = [0.25, 0.5] };

        Assert.Empty(full.AtEdge(new RankingOptions { K = 25, Temperature = 0.1, UtteranceSmoothingStrength = 1, TextModelWeight = 0, RouteHeadWeight = 1 }));
        Assert.Empty(full.AtEdge(new RankingOptions { K = 25, Temperature = 0.1, UtteranceSmoothingStrength = 1, TextModelWeight = 0, RouteHeadWeight = 0 }));
        Assert.Equal(["route_head_weight 0.5 (the largest tried)"], narrow.AtEdge(new RankingOptions { K = 25, Temperature = 0.1, UtteranceSmoothingStrength = 1, TextModelWeight = 0, RouteHeadWeight = 0.5 }));
    }
}
