using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Core.Tests.Ranking;

public class TextOutcomeModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Topics = ["invoice", "poem", "integral", "recipe", "contract", "sonnet", "matrix", "salad"];

    // "cheap" succeeds on poems and recipes, fails on integrals and contracts (and the like); "strong" succeeds everywhere.
    private static List<TextOutcome> Outcomes(int perTopic, int seed = 1)
    {
        var random = new Random(seed);
        var list = new List<TextOutcome>();
        foreach (var topic in Topics)
        {
            var easy = topic is "poem" or "recipe" or "sonnet" or "salad";
            for (var i = 0; i < perTopic; i++)
            {
                var text = $"please help me with this {topic} number {random.Next(1000)} today";
                list.Add(new TextOutcome(text, "cheap", easy ? 1 : 0));
                list.Add(new TextOutcome(text, "strong", 1));
            }
        }

        return list;
    }

    [Fact]
    public void Fit_LearnsWhichWordsAModelFailsOn()
    {
        var model = TextOutcomeModel.Fit(Outcomes(20), new TextOutcomeModelOptions { Threads = 1 }, cancellationToken: Ct);

        var easy = model.Predict("help me with this poem", ["cheap", "strong"]);
        var hard = model.Predict("help me with this integral", ["cheap", "strong"]);
        Assert.True(easy["cheap"] > 0.7, $"cheap on a poem: {easy["cheap"]}");
        Assert.True(hard["cheap"] < 0.3, $"cheap on an integral: {hard["cheap"]}");
        Assert.True(hard["strong"] > 0.7, $"strong on an integral: {hard["strong"]}");
        Assert.Equal(320, model.OutcomeCount);
        Assert.Equal(160, model.OutcomesOf("cheap"));
    }

    [Fact]
    public void Fit_GeneralisesToUnseenTextsThroughSharedWords()
    {
        var model = TextOutcomeModel.Fit(Outcomes(20), new TextOutcomeModelOptions { Threads = 2 }, cancellationToken: Ct);
        var p = model.Predict("a new contract nobody has seen", ["cheap"]);
        Assert.True(p["cheap"] < 0.4, $"cheap on an unseen contract question: {p["cheap"]}");
    }

    [Fact]
    public void Predict_Conversation_AveragesTheTurnsWithTheEmbeddingsWeights()
    {
        var model = TextOutcomeModel.Fit(Outcomes(20), new TextOutcomeModelOptions { Threads = 1 }, cancellationToken: Ct);
        string[] models = ["cheap", "strong"];
        const string followUp = "and another one please";
        string[] earlier = ["help me with this poem", "help me with this integral"];

        var last = model.Predict(followUp, models)["cheap"];
        var poem = model.Predict(earlier[0], models)["cheap"];
        var integral = model.Predict(earlier[1], models)["cheap"];

        // Weights as ConversationEmbedding.Blend: last 1, previous γ, the one before γ².
        const double decay = 0.5;
        var blended = model.Predict(followUp, earlier, decay, models);
        Assert.Equal((last + (decay * integral) + (decay * decay * poem)) / (1 + decay + (decay * decay)), blended["cheap"], 12);
        Assert.True(blended["cheap"] < last, $"a follow-up to an integral question: {blended["cheap"]} against {last} alone");
        Assert.Equal(2, blended.Count);

        // No earlier turn or γ = 0: the last turn alone.
        Assert.Equal(last, model.Predict(followUp, [], decay, models)["cheap"]);
        Assert.Equal(last, model.Predict(followUp, earlier, 0, models)["cheap"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(followUp, earlier, 1, models));
        Assert.Empty(model.Predict(followUp, earlier, decay, ["unknown"]));
    }

    [Fact]
    public void WarmStart_FromAnEarlierFit_ReachesTheSameOptimum_InFewerIterations()
    {
        var options = new TextOutcomeModelOptions { Threads = 1, Tolerance = 1e-10 };
        var all = Outcomes(30);
        var earlier = TextOutcomeModel.Fit([.. all.Take(all.Count * 9 / 10)], options, cancellationToken: Ct);

        var cold = TextOutcomeModel.Fit(all, options, cancellationToken: Ct);
        var warm = TextOutcomeModel.Fit(all, options, warmStart: earlier, cancellationToken: Ct);

        Assert.True(warm.Iterations < cold.Iterations, $"iterations: warm {warm.Iterations}, cold {cold.Iterations}");
        foreach (var text in new[] { "help me with this poem", "an integral and a contract", "salad matrix today", "nothing seen before" })
        {
            var c = cold.Predict(text, ["cheap", "strong"]);
            var w = warm.Predict(text, ["cheap", "strong"]);
            Assert.Equal(c["cheap"], w["cheap"], 0.01);
            Assert.Equal(c["strong"], w["strong"], 0.01);
        }
    }

    [Fact]
    public void WarmStart_WithOtherFeatures_IsIgnored()
    {
        var options = new TextOutcomeModelOptions { Threads = 1 };
        var other = TextOutcomeModel.Fit(Outcomes(10), options with { BucketBits = 12 }, cancellationToken: Ct);

        var cold = TextOutcomeModel.Fit(Outcomes(10), options, cancellationToken: Ct);
        var warm = TextOutcomeModel.Fit(Outcomes(10), options, warmStart: other, cancellationToken: Ct);

        Assert.Equal(cold.Iterations, warm.Iterations);
        Assert.Equal(cold.Predict("integral recipe", ["cheap"])["cheap"], warm.Predict("integral recipe", ["cheap"])["cheap"]);
    }

    [Fact]
    public void Fit_IsDeterministic()
    {
        var options = new TextOutcomeModelOptions { Threads = 1 };
        var a = TextOutcomeModel.Fit(Outcomes(10), options, cancellationToken: Ct).Predict("integral recipe", ["cheap"]);
        var b = TextOutcomeModel.Fit(Outcomes(10), options, cancellationToken: Ct).Predict("integral recipe", ["cheap"]);
        Assert.Equal(a["cheap"], b["cheap"]);
    }

    [Fact]
    public void Predict_LeavesOutModelsWithTooFewOutcomesOrUnknown()
    {
        var outcomes = Outcomes(10);
        outcomes.AddRange(Enumerable.Range(0, 5).Select(i => new TextOutcome($"rare {i}", "rare", 1)));
        var model = TextOutcomeModel.Fit(outcomes, new TextOutcomeModelOptions { MinOutcomes = 50 }, cancellationToken: Ct);

        var p = model.Predict("a poem", ["cheap", "rare", "never-seen", "cheap"]);
        Assert.Equal(["cheap"], p.Keys);
        Assert.DoesNotContain("rare", model.Models);
        Assert.Equal(0, model.OutcomesOf("rare"));
    }

    [Fact]
    public void Fit_FractionalScores_PredictTheirMean()
    {
        var outcomes = Enumerable.Range(0, 200).Select(i => new TextOutcome($"summarise report {i}", "m", 0.3)).ToList();
        var model = TextOutcomeModel.Fit(outcomes, cancellationToken: Ct);
        Assert.InRange(model.Predict("summarise report 7", ["m"])["m"], 0.25, 0.35);
    }

    [Fact]
    public void Fit_NoOutcomes_PredictsNothing() =>
        Assert.Empty(TextOutcomeModel.Fit([], cancellationToken: Ct).Predict("anything", ["m"]));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Fit_ScoreOutsideUnitInterval_Throws(double score) =>
        Assert.Throws<ArgumentException>(() => TextOutcomeModel.Fit([new TextOutcome("q", "m", score)], cancellationToken: Ct));

    [Fact]
    public void Fit_BadOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TextOutcomeModel.Fit([], new TextOutcomeModelOptions { L2 = 0 }, cancellationToken: Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextOutcomeModel.Fit([], new TextOutcomeModelOptions { MinOutcomes = 0 }, cancellationToken: Ct));
    }

    [Fact]
    public void Fit_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => TextOutcomeModel.Fit(Outcomes(10), cancellationToken: cts.Token));
    }
}
