using System.Globalization;
using SemanticRouter.Ranking;

namespace SemanticRouter.Evaluation;

/// <summary>One point of the router's curve: at cost weight λ, the mean cost and quality of its choices.</summary>
public readonly record struct CostQualityCurvePoint(double Lambda, double Cost, double Quality);

/// <summary>A single model's mean quality and cost per prompt.</summary>
public readonly record struct ModelCostQuality(string Model, double Quality, double Cost);

/// <summary>What <see cref="CostQualityEvaluation.Run"/> measured on the test prompts, and what the training folds chose.</summary>
public sealed record CostQualityReport(
    IReadOnlyList<ModelCostQuality> Models,
    ModelCostQuality BestSingle,
    CostQualityPoint Oracle,
    IReadOnlyList<CostQualityCurvePoint> Curve,
    double Aiq,
    double ZeroRouterAiq,
    double MaxCost,
    double QualityAtBestCost,
    double QualityAt80PercentBestCost,
    double CostToMatchBest,
    double Top1Quality,
    CostQualitySettings Chosen,
    double ChosenCvAiq,
    int TrainPrompts,
    int TestPrompts)
{
    /// <summary>Every call of the test prompts costs the same (tables without costs): AIQ is then the best quality (<see cref="CostQualitySet.FlatCost"/>).</summary>
    public bool FlatCost { get; init; }
}

/// <summary>
/// The N-model, cost-aware router on a fixed train/test split (RouterBench's): per test prompt, each
/// model's quality and cost are predicted from the training prompts (<see cref="CostQualityPredictions"/>),
/// the router picks argmax quality − λ·cost/max cost (<see cref="CostTerm"/>, as the served ranker), and
/// λ sweeps <see cref="Lambdas"/> to trace the curve. k, τ, the head's weight and penalty are chosen on
/// the training prompts alone: the settings with the best AIQ over <c>folds</c>-fold CV of the training
/// split (pooled held-out choices). Test outcomes are read only to score the choices.
/// </summary>
public static class CostQualityEvaluation
{
    /// <summary>λ = 0 (quality only), 40 steps from 10⁻³ to 10² (geometric), and 10⁶ (the cheapest predicted model).</summary>
    public static IReadOnlyList<double> Lambdas { get; } =
        [0, .. Enumerable.Range(0, 41).Select(i => Math.Pow(10, -3 + (i * 5.0 / 40))), 1e6];

    /// <summary>Chooses on <paramref name="train"/> (unless <paramref name="chosen"/> is given) and scores the choices on <paramref name="test"/>.</summary>
    /// <remarks><paramref name="chosen"/>: settings already chosen on the same training prompts by <see cref="Choose"/>, with their CV AIQ (null = choose them here).</remarks>
    public static CostQualityReport Run(CostQualitySet train, CostQualitySet test, CostQualityGrid? grid = null, int folds = 5, int seed = 0, int threads = 0, Action<string>? log = null,
        (CostQualitySettings Settings, double CvAiq)? chosen = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!train.Models.SequenceEqual(test.Models, StringComparer.Ordinal))
        {
            throw new ArgumentException("the training and test prompts must name the same models in the same order", nameof(test));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        grid ??= CostQualityGrid.Default;
        var (settings, cvAiq) = chosen ?? Choose(train, grid, folds, seed, threads, log);
        log?.Invoke($"chosen on the training folds: {settings} (CV AIQ {cvAiq.ToString("F4", CultureInfo.InvariantCulture)})");

        var predictions = CostQualityPredictions.Compute(train, test, [settings], threads);
        return Report(test, Curve(predictions, settings, test), settings, cvAiq, train.Count);
    }

    /// <summary>What the router chose on one outer fold of <see cref="CrossValidate"/>: the variant (long-input policy), the settings, their inner CV AIQ.</summary>
    public readonly record struct CostQualityFoldChoice(int Fold, int Variant, CostQualitySettings Settings, double InnerCvAiq);

    /// <summary>
    /// <c>eval --outcomes FILE</c> on a table with costs and no fixed test split: <paramref name="folds"/>-fold
    /// cross-validation. Per outer fold, everything is chosen on its training part alone (k, τ, β, α, pruning
    /// by inner CV, and which of <paramref name="variants"/> — the same prompts embedded under each long-input
    /// policy — wins), and the held-out prompts' choices at every λ are pooled into one curve over all prompts.
    /// The report's <c>Chosen</c> is the settings most folds chose.
    /// </summary>
    public static CostQualityReport CrossValidate(IReadOnlyList<CostQualitySet> variants, CostQualityGrid? grid, int folds, int seed, int threads, Action<string>? log, out List<CostQualityFoldChoice> perFold)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        grid ??= CostQualityGrid.Default;
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var set = variants[0];
        var m = set.ModelCount;
        var assignment = CrossValidation.StratifiedFolds(Strata(set), folds, seed);
        var sums = new double[Lambdas.Count * 2];
        perFold = [];
        var trained = 0;
        for (var f = 0; f < folds; f++)
        {
            var inFold = Enumerable.Range(0, set.Count).Where(i => assignment[i] != f).ToArray();
            var held = Enumerable.Range(0, set.Count).Where(i => assignment[i] == f).ToArray();
            trained += inFold.Length;
            CostQualityFoldChoice? best = null;
            for (var v = 0; v < variants.Count; v++)
            {
                var (settings, cv) = Choose(variants[v].Subset(inFold), grid, folds, seed, threads);
                if (best is null || cv > best.Value.InnerCvAiq)
                {
                    best = new CostQualityFoldChoice(f, v, settings, cv);
                }
            }

            var choice = best!.Value;
            perFold.Add(choice);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"fold {f + 1}/{folds}: variant {choice.Variant}, {choice.Settings} (inner CV AIQ {choice.InnerCvAiq:F4})"));
            var a = variants[choice.Variant].Subset(inFold);
            var b = variants[choice.Variant].Subset(held);
            var foldCurve = Curve(CostQualityPredictions.Compute(a, b, [choice.Settings], threads), choice.Settings, b);
            for (var l = 0; l < Lambdas.Count; l++)
            {
                sums[l * 2] += foldCurve[l].Quality * b.Count;
                sums[(l * 2) + 1] += foldCurve[l].Cost * b.Count;
            }
        }

        var curve = Lambdas.Select((lambda, l) => new CostQualityCurvePoint(lambda, sums[(l * 2) + 1] / set.Count, sums[l * 2] / set.Count)).ToList();
        var common = perFold.GroupBy(c => c.Settings).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(c => c.InnerCvAiq)).First();
        return Report(set, curve, common.Key, common.Max(c => c.InnerCvAiq), trained / folds);
    }

    /// <summary>The report of a curve on <paramref name="test"/>: the single models, the zero router, AIQ and the points the issue names.</summary>
    private static CostQualityReport Report(CostQualitySet test, List<CostQualityCurvePoint> curve, CostQualitySettings settings, double cvAiq, int trainCount)
    {
        var (quality, cost) = test.Means();
        var models = test.Models.Select((name, j) => new ModelCostQuality(name, quality[j], cost[j])).ToList();
        var best = models.OrderByDescending(x => x.Quality).ThenBy(x => x.Cost).First();
        var singles = models.Select(x => new CostQualityPoint(x.Cost, x.Quality)).ToList();
        var points = curve.Select(p => new CostQualityPoint(p.Cost, p.Quality)).ToList();
        var maxCost = Math.Max(singles.Max(p => p.Cost), points.Max(p => p.Cost));
        var flatCost = test.FlatCost;
        return new CostQualityReport(
            models,
            best,
            Oracle(test),
            curve,
            Aiq(points, maxCost, flatCost),
            Aiq(singles, maxCost, flatCost),
            maxCost,
            CostQualityFrontier.QualityAt(points, best.Cost),
            CostQualityFrontier.QualityAt(points, 0.8 * best.Cost),
            CostQualityFrontier.CostFor(points, best.Quality) / best.Cost,
            curve[0].Quality,
            settings,
            cvAiq,
            trainCount,
            test.Count)
        {
            FlatCost = flatCost,
        };
    }

    /// <summary>
    /// RouterBench's AIQ (<see cref="CostQualityFrontier.Aiq"/>); when every call costs the same it would be 0 for
    /// every router (its hull is one point, no area), so there it is the best quality of the points: a router's
    /// λ = 0 pick against the best single model, the one comparison such data can make.
    /// </summary>
    private static double Aiq(IReadOnlyList<CostQualityPoint> points, double maxCost, bool flatCost) =>
        flatCost ? points.Max(p => p.Quality) : CostQualityFrontier.Aiq(points, maxCost);

    /// <summary>Per prompt the cheapest of the best-scoring models: the most any router could get, at the least cost.</summary>
    public static CostQualityPoint Oracle(CostQualitySet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var m = set.ModelCount;
        double quality = 0, cost = 0;
        for (var i = 0; i < set.Count; i++)
        {
            var best = 0;
            for (var j = 1; j < m; j++)
            {
                var s = set.Scores[(i * m) + j];
                var b = set.Scores[(i * m) + best];
                if (s > b || (s == b && set.Costs[(i * m) + j] < set.Costs[(i * m) + best]))
                {
                    best = j;
                }
            }

            quality += set.Scores[(i * m) + best];
            cost += set.Costs[(i * m) + best];
        }

        return new CostQualityPoint(cost / set.Count, quality / set.Count);
    }

    /// <summary>The settings with the best AIQ of the pooled held-out choices over the training folds.</summary>
    public static (CostQualitySettings Settings, double CvAiq) Choose(CostQualitySet train, CostQualityGrid grid, int folds, int seed, int threads, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(grid);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var candidates = grid.All().ToList();
        var assignment = CrossValidation.StratifiedFolds(Strata(train), folds, seed);
        var m = train.ModelCount;

        // Per candidate, per λ: the summed quality and cost of the held-out choices of every fold.
        var sums = candidates.Select(_ => new double[Lambdas.Count * 2]).ToArray();
        var indexed = 0;
        for (var f = 0; f < folds; f++)
        {
            var inFold = Enumerable.Range(0, train.Count).Where(i => assignment[i] != f).ToArray();
            var held = Enumerable.Range(0, train.Count).Where(i => assignment[i] == f).ToArray();
            indexed += inFold.Length;
            var a = train.Subset(inFold);
            var b = train.Subset(held);
            var predictions = CostQualityPredictions.Compute(a, b, candidates, threads);
            Parallel.For(0, candidates.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
            {
                var quality = new double[m];
                for (var i = 0; i < b.Count; i++)
                {
                    var cost = predictions.Predict(candidates[c], i, quality);
                    for (var l = 0; l < Lambdas.Count; l++)
                    {
                        var pick = CostTerm.Choose(quality, cost, Lambdas[l]);
                        sums[c][l * 2] += b.Scores[(i * m) + pick];
                        sums[c][(l * 2) + 1] += b.Costs[(i * m) + pick];
                    }
                }
            });
        }

        var (_, trainCost) = train.Means();
        var cvMax = trainCost.Max();
        var flatCost = train.FlatCost;
        var best = -1;
        var bestAiq = double.NegativeInfinity;
        for (var c = 0; c < candidates.Count; c++)
        {
            var points = Enumerable.Range(0, Lambdas.Count).Select(l => new CostQualityPoint(sums[c][(l * 2) + 1] / train.Count, sums[c][l * 2] / train.Count)).ToList();
            var aiq = Aiq(points, Math.Max(cvMax, points.Max(p => p.Cost)), flatCost);
            if (aiq > bestAiq)
            {
                (best, bestAiq) = (c, aiq);
            }
        }

        // k was chosen with (folds − 1)/folds of the prompts indexed; the same neighbourhood holds
        // proportionally more of the whole training split.
        var s = candidates[best];
        var k = (int)Math.Round(s.K * (double)train.Count * folds / indexed);
        return (s with { K = Math.Clamp(k, 1, RankingOptions.MaxK) }, bestAiq);
    }

    /// <summary>
    /// Per λ of <paramref name="lambdas"/>, per test prompt, the index (in <see cref="CostQualitySet.Models"/>) of the
    /// model the router picks with settings <paramref name="s"/>: what the served ranker must put first.
    /// </summary>
    public static int[][] Choices(CostQualitySet train, CostQualitySet test, CostQualitySettings s, IReadOnlyList<double> lambdas, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(lambdas);
        var predictions = CostQualityPredictions.Compute(train, test, [s], threads > 0 ? threads : Environment.ProcessorCount);
        var choices = lambdas.Select(_ => new int[test.Count]).ToArray();
        var quality = new double[test.ModelCount];
        for (var i = 0; i < test.Count; i++)
        {
            var cost = predictions.Predict(s, i, quality);
            for (var l = 0; l < lambdas.Count; l++)
            {
                choices[l][i] = CostTerm.Choose(quality, cost, lambdas[l]);
            }
        }

        return choices;
    }

    /// <summary>The router's curve on <paramref name="test"/>: per λ, the mean score and cost of its choices.</summary>
    internal static List<CostQualityCurvePoint> Curve(CostQualityPredictions predictions, CostQualitySettings s, CostQualitySet test)
    {
        var m = test.ModelCount;
        var quality = new double[m];
        var sums = new double[Lambdas.Count * 2];
        for (var i = 0; i < test.Count; i++)
        {
            var cost = predictions.Predict(s, i, quality);
            for (var l = 0; l < Lambdas.Count; l++)
            {
                var pick = CostTerm.Choose(quality, cost, Lambdas[l]);
                sums[l * 2] += test.Scores[(i * m) + pick];
                sums[(l * 2) + 1] += test.Costs[(i * m) + pick];
            }
        }

        return [.. Lambdas.Select((lambda, l) => new CostQualityCurvePoint(lambda, sums[(l * 2) + 1] / test.Count, sums[l * 2] / test.Count))];
    }

    /// <summary>Folds stratified on the task set and on how many models succeed (so every fold sees easy and hard prompts of each set).</summary>
    private static int[] Strata(CostQualitySet set)
    {
        var groups = set.Groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var m = set.ModelCount;
        return [.. Enumerable.Range(0, set.Count).Select(i =>
        {
            var solved = 0.0;
            for (var j = 0; j < m; j++)
            {
                solved += set.Scores[(i * m) + j];
            }

            var band = (int)Math.Min(3, Math.Floor(4 * solved / (m + 1e-9)));
            return (groups.IndexOf(set.Groups[i]) * 4) + band;
        })];
    }
}
