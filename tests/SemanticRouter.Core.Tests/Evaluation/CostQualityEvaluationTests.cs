using SemanticRouter.Evaluation;

namespace SemanticRouter.Core.Tests.Evaluation;

public class CostQualityEvaluationTests
{
    /// <summary>
    /// Two kinds of prompt in two directions of the space: "easy" ones the cheap model solves, "hard" ones
    /// only the dear model does (which solves both). A router that knows which is which keeps the dear
    /// model's quality at about half its cost, where the zero router must pay for it on every prompt.
    /// </summary>
    private static CostQualitySet Synthetic(int n, int seed)
    {
        var random = new Random(seed);
        const int dims = 8;
        var matrix = new float[n * dims];
        var scores = new double[n * 2];
        var costs = new double[n * 2];
        var groups = new string[n];
        for (var i = 0; i < n; i++)
        {
            var hard = i % 2 == 1;
            var v = matrix.AsSpan(i * dims, dims);
            for (var j = 0; j < dims; j++)
            {
                v[j] = (float)(random.NextDouble() * 0.3);
            }

            v[hard ? 0 : 1] += 1;
            var norm = (float)Math.Sqrt(v.ToArray().Sum(x => x * x));
            for (var j = 0; j < dims; j++)
            {
                v[j] /= norm;
            }

            scores[(i * 2) + 0] = hard ? 0 : 1; // "cheap"
            scores[(i * 2) + 1] = 1;            // "dear"
            costs[(i * 2) + 0] = 0.001 * (0.9 + (0.2 * random.NextDouble()));
            costs[(i * 2) + 1] = 0.01 * (0.9 + (0.2 * random.NextDouble()));
            groups[i] = "set";
        }

        return new CostQualitySet(matrix, dims, ["cheap", "dear"], scores, costs, groups);
    }

    [Fact]
    public void Run_SeparableTasks_BeatsTheZeroRouterAndReportsEveryFigure()
    {
        var grid = new CostQualityGrid([5, 10], [0.05], [0, 0.5], [10]);
        var report = CostQualityEvaluation.Run(Synthetic(200, 1), Synthetic(100, 2), grid, folds: 3, threads: 1);

        Assert.Equal(["cheap", "dear"], report.Models.Select(m => m.Model));
        Assert.Equal("dear", report.BestSingle.Model);
        Assert.Equal(1.0, report.BestSingle.Quality);
        Assert.Equal(1.0, report.Oracle.Quality);
        Assert.True(report.Oracle.Cost < report.BestSingle.Cost * 0.6);
        Assert.Equal(CostQualityEvaluation.Lambdas.Count, report.Curve.Count);
        Assert.Equal(0, report.Curve[0].Lambda);
        Assert.Equal(report.Curve[0].Quality, report.Top1Quality);
        Assert.True(report.Aiq > report.ZeroRouterAiq + 0.1, $"AIQ {report.Aiq} vs zero router {report.ZeroRouterAiq}");
        Assert.Equal(1.0, report.QualityAtBestCost, 6);
        Assert.InRange(report.CostToMatchBest, 0.4, 0.7);
        Assert.Contains(report.Chosen.K, new[] { 8, 15 }); // 5 or 10 chosen on 2/3 of the prompts, scaled to all
    }

    [Fact]
    public void Choose_UsesTheTrainingPromptsOnly_TheSameChoiceWhateverTheTestSet()
    {
        var grid = new CostQualityGrid([5, 20], [0.05, 0.2], [0, 1], [10]);
        var train = Synthetic(120, 3);
        var a = CostQualityEvaluation.Run(train, Synthetic(50, 4), grid, folds: 3, threads: 1);
        var b = CostQualityEvaluation.Run(train, Synthetic(50, 5), grid, folds: 3, threads: 1);
        Assert.Equal(a.Chosen, b.Chosen);
        Assert.Equal(a.ChosenCvAiq, b.ChosenCvAiq);
    }
}

public class CostQualityPruningTests
{
    [Fact]
    public void Dominated_ModelsAreNeverChosen_WhenTheSettingSaysSo()
    {
        // "bad" costs more than "good" and succeeds less: dominated. Every prompt is the same direction.
        const int n = 30;
        var matrix = Enumerable.Range(0, n).SelectMany(_ => new float[] { 1, 0 }).ToArray();
        var scores = Enumerable.Range(0, n).SelectMany(i => new double[] { i % 3 == 0 ? 1 : 0, i % 2 == 0 ? 1 : 0 }).ToArray(); // bad 1/3, good 1/2
        var costs = Enumerable.Range(0, n).SelectMany(_ => new double[] { 0.02, 0.01 }).ToArray();
        var set = new CostQualitySet(matrix, 2, ["bad", "good"], scores, costs, [.. Enumerable.Repeat("g", n)]);
        Assert.Equal([true, false], CostQualityPredictions.Dominated(set));

        var keep = new CostQualitySettings(5, 0.05, 0, 10, PruneDominated: false);
        var prune = keep with { PruneDominated = true };
        var predictions = CostQualityPredictions.Compute(set, set, [keep, prune], threads: 1);
        var quality = new double[2];
        predictions.Predict(prune, 0, quality);
        Assert.Equal(double.NegativeInfinity, quality[0]);
        Assert.All(CostQualityEvaluation.Curve(predictions, prune, set), p => Assert.Equal(0.01, p.Cost, 12));
    }
}
