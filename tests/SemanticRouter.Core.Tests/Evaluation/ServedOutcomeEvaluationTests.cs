using SemanticRouter.Evaluation;
using SemanticRouter.Ranking;

namespace SemanticRouter.Core.Tests.Evaluation;

public class ServedOutcomeEvaluationTests
{
    // OutcomeEvaluationTests' two routes ("geometry" needs the strong model, "trivia" does not), with
    // texts. With wordsTell, as in its words test, the embeddings say nothing about which prompt the
    // weak model fails and the word "proof" says it all.
    private static (float[] Matrix, double[] Weak, double[] Strong, int[] Routes, string[] Texts) TwoRoutes(int perRoute, int seed, bool wordsTell = false)
    {
        var (matrix, weak, strong, routes) = OutcomeEvaluationTests.TwoRoutes(perRoute, seed);
        var texts = new string[weak.Length];
        var random = new Random(11);
        for (int i = 0; i < texts.Length; i++)
        {
            if (wordsTell)
            {
                bool hard = random.NextDouble() < 0.4;
                weak[i] = !hard && random.NextDouble() < 0.95 ? 1 : 0;
                texts[i] = hard ? $"give a proof of claim {i}" : $"name the colour of item {i}";
            }
            else
            {
                texts[i] = $"question number {i}";
            }
        }

        return (matrix, weak, strong, routes, texts);
    }

    [Fact]
    public void Run_RouteRatesCarryTheSignal_TheServedRankerFindsThem()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(200, seed: 3);

        var result = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, folds: 4, threads: 1);

        Assert.Equal(400, result.Prompts);
        Assert.Equal(400, result.Scores.Count);
        Assert.True(result.Router.Apgr > result.Random.Apgr + 0.2, $"served {result.Router.Apgr:F3} vs random {result.Random.Apgr:F3}");
        double Mean(int route) => Enumerable.Range(0, 400).Where(i => routes[i] == route).Average(i => result.Scores[i]);
        Assert.True(Mean(0) > Mean(1) + 0.3, $"geometry {Mean(0):F3} vs trivia {Mean(1):F3}");
        Assert.True(result.RouterIntervals.Apgr.Contains(result.Router.Apgr));
    }

    [Fact]
    public void Run_GradedOutcomes_TheServedRankerFindsTheRouteSignal()
    {
        // Judge scores in [0, 1], as RecordOutcome takes them: the ranker's statistics average them.
        var (matrix, weak, strong, routes) = OutcomeEvaluationTests.GradedTwoRoutes(150, seed: 3);
        var texts = Enumerable.Range(0, weak.Length).Select(i => $"question number {i}").ToArray();

        var result = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, folds: 3, threads: 1);

        Assert.Equal(weak.Average(), result.Router.WeakQuality, 12);
        // Knowing each prompt's route gives APGR 0.71 here (route 0 holds 0.55 / 0.60 of the gain: half the
        // calls recover 92 % of it); random about 0.5.
        Assert.True(result.Router.Apgr > 0.65 && result.Random.Apgr < 0.6, $"served {result.Router.Apgr:F3} vs random {result.Random.Apgr:F3}");
        double Mean(int route) => Enumerable.Range(0, weak.Length).Where(i => routes[i] == route).Average(i => result.Scores[i]);
        Assert.True(Mean(0) > Mean(1) + 0.2, $"geometry {Mean(0):F3} vs trivia {Mean(1):F3}");
    }

    [Fact]
    public void Run_RouteHeadWeight_BlendsARouteClassifiersPosteriorIntoTheRouteVote()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(150, seed: 3);
        RankingOptions Options(double alpha) => new() { K = 10, Temperature = 0.2, TextModelWeight = 0, RouteHeadWeight = alpha };

        var vote = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, Options(0), folds: 3, threads: 1);
        var head = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, Options(0.5), folds: 3, threads: 1);

        Assert.NotEqual(vote.Scores, head.Scores);
        Assert.True(head.Router.Apgr > head.Random.Apgr + 0.2, $"with the head {head.Router.Apgr:F3} vs random {head.Random.Apgr:F3}");

        // One route: there is nothing to classify, and the weight changes nothing.
        var one = new int[routes.Length];
        Assert.Equal(
            ServedOutcomeEvaluation.Run(matrix, weak, strong, ["all"], one, texts, Options(0), folds: 3, threads: 1).Scores,
            ServedOutcomeEvaluation.Run(matrix, weak, strong, ["all"], one, texts, Options(0.5), folds: 3, threads: 1).Scores);
    }

    [Fact]
    public void Run_WordsCarryTheSignal_TheTextModelWeightDecidesWhetherTheRankerHearsThem()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(200, seed: 7, wordsTell: true);

        var with = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, texts, new RankingOptions { K = 20, TextModelWeight = 0.5 }, folds: 4, threads: 1);
        var without = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, texts, new RankingOptions { K = 20, TextModelWeight = 0 }, folds: 4, threads: 1);

        Assert.True(with.Router.Apgr > without.Router.Apgr + 0.2, $"with text {with.Router.Apgr:F3} vs without {without.Router.Apgr:F3}");
    }

    [Fact]
    public void Run_RandomBaseline_IsTheHarnessOwnDrawForDraw()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(60, seed: 5);

        var served = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, texts, folds: 3, seed: 4, threads: 1);
        var harness = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, seed: 4, kValues: [5], alphaValues: [0], threads: 1, routes: routes);

        // the same seed draws the same random scores, so the two reports' random rows are one baseline
        Assert.Equal(harness.Random.Curve, served.Random.Curve);
        Assert.Equal((harness.Random.Apgr, harness.Random.Cpt50), (served.Random.Apgr, served.Random.Cpt50));
    }

    [Fact]
    [Trait("Category", "Slow")] // a minute or more on 2 cores: ./test.sh --all
    public void Run_WithAGrid_EachFoldChoosesOnItsTrainingPromptsWhatCarriesTheSignal()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(200, seed: 7, wordsTell: true);
        var grid = new ServedSettingsGrid([4, 16], [0.1], [4], [0, 0.5]);

        var chosen = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, texts, folds: 3, threads: 1, grid: grid, innerFolds: 3);
        var given = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, texts, new RankingOptions { K = 16, Temperature = 0.1, TextModelWeight = 0 }, folds: 3, threads: 1);

        // the words carry the signal, so every fold turns the text model on; k is scaled from the inner
        // index (2/3 of the training prompts) to the whole training set
        Assert.All(chosen.ChosenPerFold, c => Assert.Equal(0.5, c.TextModelWeight));
        Assert.All(chosen.ChosenPerFold, c => Assert.Contains(c.K, new[] { 6, 24 }));
        Assert.All(chosen.ChosenPerFold, c => Assert.InRange(c.InnerApgr, 0.2, 1.5));
        Assert.True(chosen.Router.Apgr > given.Router.Apgr + 0.2, $"chosen {chosen.Router.Apgr:F3} vs text model off {given.Router.Apgr:F3}");
        Assert.All(given.ChosenPerFold, c => Assert.True(double.IsNaN(c.InnerApgr) && c.K == 16 && c.TextModelWeight == 0));
        // what to serve: the same choice made on all 400 prompts, k scaled from an inner index of 2/3 of them
        var serve = Assert.IsType<RankingOptions>(chosen.Recommended);
        Assert.Equal(0.5, serve.TextModelWeight);
        Assert.Contains(serve.K, new[] { 6, 24 });
        Assert.Null(given.Recommended);
    }

    [Fact]
    public void Run_AGridListingARouteHeadWeight_RanksTheOuterFoldsWithTheRouteClassifier()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(150, seed: 3);
        var grid = new ServedSettingsGrid([10], [0.2], [4], [0]) { RouteHeadWeight = [0.5] };

        var chosen = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, folds: 3, threads: 1, grid: grid, innerFolds: 3);

        // one point, so every fold takes it (k scaled from the inner index to the training set), and the
        // outer folds rank exactly as the same settings given would
        Assert.All(chosen.ChosenPerFold, c => Assert.Equal(0.5, c.RouteHeadWeight));
        var k = chosen.ChosenPerFold[0].K;
        Assert.All(chosen.ChosenPerFold, c => Assert.Equal(k, c.K));
        var given = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, new RankingOptions { K = k, Temperature = 0.2, TextModelWeight = 0, RouteHeadWeight = 0.5 }, folds: 3, threads: 1);
        Assert.Equal(given.Scores, chosen.Scores);
        Assert.Equal(0.5, chosen.Recommended!.RouteHeadWeight);
    }

    [Fact]
    public void Run_AGridWithTwoRouteHeadWeights_ChoosesOneOfThem()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(100, seed: 4);
        var grid = new ServedSettingsGrid([10], [0.2], [4], [0]) { RouteHeadWeight = [0, 1] };

        var chosen = ServedOutcomeEvaluation.Run(matrix, weak, strong, ["geometry", "trivia"], routes, texts, folds: 3, threads: 1, grid: grid, innerFolds: 3);

        Assert.All(chosen.ChosenPerFold, c => Assert.Contains(c.RouteHeadWeight, new[] { 0.0, 1.0 }));
        Assert.Contains(chosen.Recommended!.RouteHeadWeight, new[] { 0.0, 1.0 });
        Assert.True(chosen.Router.Apgr > chosen.Random.Apgr + 0.15, $"chosen {chosen.Router.Apgr:F3} vs random {chosen.Random.Apgr:F3}");
    }

    [Fact]
    public void Run_AGridWithAnEmptySetting_Refused()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(10, seed: 1);

        var e = Assert.Throws<ArgumentException>(() => ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, texts, folds: 2, grid: new ServedSettingsGrid([5], [], [4], [0])));
        Assert.Contains("at least one value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ARouteIndexOutsideTheNames_Refused()
    {
        var (matrix, weak, strong, routes, texts) = TwoRoutes(10, seed: 1);

        var e = Assert.Throws<ArgumentException>(() => ServedOutcomeEvaluation.Run(matrix, weak, strong, ["only"], routes, texts, folds: 2));
        Assert.Contains("routeNames", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ServedOutcomeEvaluation.Run(matrix, weak, strong, ["a", "b"], routes, ["one text"], folds: 2));
    }
}
