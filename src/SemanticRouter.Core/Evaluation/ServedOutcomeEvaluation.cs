using SemanticRouter.Index;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;

namespace SemanticRouter.Evaluation;

/// <summary>
/// Result of <see cref="ServedOutcomeEvaluation.Run"/>: the served ranker's figures, their intervals, the
/// random router on the same folds, every prompt's held-out score, and the settings each outer fold ranked with.
/// </summary>
public sealed record ServedOutcomeResult(RouteLlmMetrics Router, RouteLlmIntervals RouterIntervals, RouteLlmMetrics Random, IReadOnlyList<double> Scores, int Prompts)
{
    /// <summary>Per outer fold, the ranker settings used (all the same unless a <see cref="ServedSettingsGrid"/> chose them).</summary>
    public IReadOnlyList<ServedFoldChoice> ChosenPerFold { get; init; } = [];

    /// <summary>
    /// With a grid: the settings to serve on all of this data, chosen as each fold chooses but on all
    /// prompts (k scaled to all of them). Null without a grid.
    /// </summary>
    public RankingOptions? Recommended { get; init; }

    /// <summary>The APGR of <see cref="Recommended"/> on the inner split of all prompts that chose it (NaN without a grid).</summary>
    public double RecommendedInnerApgr { get; init; } = double.NaN;
}

/// <summary>The served settings one outer fold ranked with, and the inner APGR that chose them (NaN when given, not chosen).</summary>
public readonly record struct ServedFoldChoice(int Fold, int K, double Temperature, double UtteranceSmoothing, double TextModelWeight, double RouteHeadWeight, double InnerApgr);

/// <summary>
/// What <see cref="ServedOutcomeEvaluation.ChooseSettings"/> chose: the settings (k scaled to all
/// prompts), the inner APGR that chose them, and the settings chosen at an edge of their grid.
/// </summary>
public sealed record ServedSettingsChoice(RankingOptions Settings, double InnerApgr, IReadOnlyList<string> AtGridEdge);

/// <summary>
/// Cheap-vs-strong routing on observed outcomes through the served <see cref="Ranker"/>, exactly as
/// <c>serve</c> would rank after <c>outcomes import</c>: per outer fold, every training prompt is an
/// utterance of its route (its file: an MMLU subject) carrying its own two outcomes, each route
/// targets the weak and the strong model with the training folds' success rates as its priors, and the
/// text outcome model is fitted on the training prompts' outcomes. A held-out prompt's score is
/// Quality(strong) − Quality(weak) from the ranker. Without a grid the given <see cref="RankingOptions"/>
/// rank as they are, so the figure is the one those settings serve; with a <see cref="ServedSettingsGrid"/>
/// each outer fold chooses k, τ, β_u, λ_t and α (the route classifier's weight, when the grid lists one
/// above 0) on an inner split of its training prompts, as
/// <see cref="OutcomeEvaluation"/> chooses its weights. The folds are <see cref="OutcomeEvaluation"/>'s
/// for the same seed, so the two figures compare prompt for prompt.
/// </summary>
public static class ServedOutcomeEvaluation
{
    private const string WeakModel = "weak";
    private const string StrongModel = "strong";

    public static ServedOutcomeResult Run(
        float[] matrix,
        double[] weak,
        double[] strong,
        IReadOnlyList<string> routeNames,
        int[] routeOf,
        IReadOnlyList<string> texts,
        RankingOptions? options = null,
        int folds = 5,
        int seed = 0,
        int points = 10,
        int threads = 0,
        TextOutcomeModelOptions? textOptions = null,
        Action<string>? log = null,
        ServedSettingsGrid? grid = null,
        int innerFolds = 5)
    {
        options ??= RankingOptions.Default;
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var data = Prepare(matrix, weak, strong, routeNames, routeOf, texts, grid, innerFolds, threads, textOptions);
        var n = weak.Length;
        var assignment = CrossValidation.StratifiedFolds(data.Classes, folds, seed);
        var scores = new double[n];
        var chosen = new List<ServedFoldChoice>();
        for (var f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => assignment[i] != f).ToArray();
            var test = Enumerable.Range(0, n).Where(i => assignment[i] == f).ToArray();
            var settings = options;
            var innerApgr = double.NaN;
            var edgeNote = "";
            if (grid is not null)
            {
                IReadOnlyList<string> foldEdges;
                (settings, innerApgr, foldEdges) = Choose(data, train, options, grid, innerFolds, seed + 1 + f, points);
                edgeNote = foldEdges.Count > 0 ? $"; at the edge of the grid: {string.Join(", ", foldEdges)}" : "";
            }

            var fold = new FoldRanking(data, train, test, settings.K, settings.TextModelWeight > 0, settings.RouteHeadWeight > 0);
            var held = fold.Score(settings);
            for (var j = 0; j < test.Length; j++)
            {
                scores[test[j]] = held[j];
            }

            chosen.Add(new ServedFoldChoice(f, settings.K, settings.Temperature, settings.UtteranceSmoothingStrength, settings.TextModelWeight, settings.RouteHeadWeight, innerApgr));
            log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"fold {f + 1}/{folds}: {test.Length} held-out prompts ranked with k={settings.K} temperature={settings.Temperature} utterance-smoothing={settings.UtteranceSmoothingStrength} text={settings.TextModelWeight}{(settings.RouteHeadWeight > 0 ? $" route-head={settings.RouteHeadWeight}" : "")}{(grid is null ? "" : $" (inner APGR {innerApgr:F3}{edgeNote})")}"));
        }

        // What to serve on all of this data: the same choice, made on all prompts (`fit`'s job for outcome data).
        RankingOptions? recommended = null;
        var recommendedApgr = double.NaN;
        if (grid is not null)
        {
            (recommended, recommendedApgr, var edges) = Choose(data, [.. Enumerable.Range(0, n)], options, grid, innerFolds, seed + 1 + folds, points);
            if (edges.Count > 0)
            {
                log?.Invoke($"note: chosen at the edge of the grid: {string.Join(", ", edges)}; a wider grid may do better");
            }

            log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"to serve, chosen on all {n} prompts: k={recommended.K} temperature={recommended.Temperature} utterance-smoothing={recommended.UtteranceSmoothingStrength} text={recommended.TextModelWeight}{(recommended.RouteHeadWeight > 0 ? $" route-head={recommended.RouteHeadWeight}" : "")} (inner APGR {recommendedApgr:F3})"));
        }

        var w = weak;
        var s = strong;

        // OutcomeEvaluation's random router, draw for draw.
        var random = new Random(seed);
        var randomScores = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToList();
        return new ServedOutcomeResult(
            RouteLlmMetrics.Compute(scores, w, s, points),
            RouteLlmIntervals.Compute(scores, w, s, points, seed: seed, threads: threads),
            RouteLlmMetrics.Compute(randomScores, w, s, points),
            scores,
            n)
        { ChosenPerFold = chosen, Recommended = recommended, RecommendedInnerApgr = recommendedApgr };
    }

    /// <summary>
    /// The choice <see cref="Run"/> makes per outer fold (and for its <see cref="ServedOutcomeResult.Recommended"/>),
    /// made once on all prompts: the grid point with the best APGR on a <paramref name="innerFolds"/>-fold
    /// split of them, k scaled to all of them. This is <c>fit</c> for outcome data: it says what to
    /// serve, but not how well (its APGR is the best of many tries on the same split, so optimistic);
    /// <see cref="Run"/> with the grid measures that.
    /// Inputs as for <see cref="Run"/>; <c>seed</c> is the inner split's. <c>options</c> gives the
    /// settings the grid does not vary (β_r).
    /// </summary>
    public static ServedSettingsChoice ChooseSettings(
        float[] matrix,
        double[] weak,
        double[] strong,
        IReadOnlyList<string> routeNames,
        int[] routeOf,
        IReadOnlyList<string> texts,
        ServedSettingsGrid grid,
        RankingOptions? options = null,
        int innerFolds = 5,
        int seed = 0,
        int points = 10,
        int threads = 0,
        TextOutcomeModelOptions? textOptions = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var data = Prepare(matrix, weak, strong, routeNames, routeOf, texts, grid, innerFolds, threads, textOptions);
        return Choose(data, [.. Enumerable.Range(0, weak.Length)], options ?? RankingOptions.Default, grid, innerFolds, seed, points);
    }

    /// <summary>Checks the inputs and indexes every prompt once (the folds mask it, they do not copy it).</summary>
    private static Data Prepare(float[] matrix, double[] weak, double[] strong, IReadOnlyList<string> routeNames, int[] routeOf, IReadOnlyList<string> texts, ServedSettingsGrid? grid, int innerFolds, int threads, TextOutcomeModelOptions? textOptions)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(weak);
        ArgumentNullException.ThrowIfNull(strong);
        ArgumentNullException.ThrowIfNull(routeNames);
        ArgumentNullException.ThrowIfNull(routeOf);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(innerFolds, 2);
        var n = weak.Length;
        if (strong.Length != n || routeOf.Length != n || texts.Count != n || n == 0 || matrix.Length % n != 0)
        {
            throw new ArgumentException("matrix, outcomes, routes and texts need one entry per prompt");
        }

        if (routeOf.Any(r => r < 0 || r >= routeNames.Count))
        {
            throw new ArgumentException("every prompt's route must index routeNames", nameof(routeOf));
        }

        OutcomeEvaluation.CheckOutcomes(weak, strong);

        if (grid is not null && (grid.K.Count == 0 || grid.Temperature.Count == 0 || grid.UtteranceSmoothing.Count == 0 || grid.TextModelWeight.Count == 0 || grid.RouteHeadWeight.Count == 0))
        {
            throw new ArgumentException("every setting of the grid needs at least one value", nameof(grid));
        }

        textOptions = (textOptions ?? new TextOutcomeModelOptions()) with { Threads = threads };
        return new Data(matrix, matrix.Length / n, weak, strong, OutcomeEvaluation.OutcomeClasses(weak, strong), routeNames, routeOf, texts,
            [.. Enumerable.Range(0, n).Select(i => new UtteranceEntry(i, routeNames[routeOf[i]], texts[i]))], textOptions, threads);
    }

    /// <summary>
    /// The grid point with the best APGR over an inner split of <paramref name="train"/> (each inner fold
    /// ranked with the others as the index, all pooled), k scaled to the whole training set.
    /// </summary>
    private static ServedSettingsChoice Choose(Data data, int[] train, RankingOptions given, ServedSettingsGrid grid, int innerFolds, int seed, int points)
    {
        var inner = CrossValidation.StratifiedFolds(train.Select(i => data.Classes[i]).ToArray(), innerFolds, seed);
        var withText = grid.TextModelWeight.Any(t => t > 0);
        var parts = new List<(int[] B, FoldRanking Ranking)>();
        var indexed = 0;
        for (var g = 0; g < innerFolds; g++)
        {
            var a = train.Where((_, j) => inner[j] != g).ToArray();
            var b = train.Where((_, j) => inner[j] == g).ToArray();
            indexed += a.Length;
            parts.Add((b, new FoldRanking(data, a, b, grid.K.Max(), withText, grid.UsesRouteHead)));
        }

        var pooled = parts.SelectMany(p => p.B).ToArray();
        var pooledWeak = pooled.Select(i => data.Weak[i]).ToList();
        var pooledStrong = pooled.Select(i => data.Strong[i]).ToList();
        var best = (Settings: given, Apgr: double.NegativeInfinity);
        foreach (var k in grid.K)
        {
            foreach (var tau in grid.Temperature)
            {
                foreach (var beta in grid.UtteranceSmoothing)
                {
                    foreach (var lambda in grid.TextModelWeight)
                    {
                        foreach (var alpha in grid.RouteHeadWeight)
                        {
                            var settings = given.Clone();
                            settings.K = k;
                            settings.Temperature = tau;
                            settings.UtteranceSmoothingStrength = beta;
                            settings.TextModelWeight = lambda;
                            settings.RouteHeadWeight = alpha;
                            var apgr = RouteLlmMetrics.Compute(parts.SelectMany(p => p.Ranking.Score(settings)).ToList(), pooledWeak, pooledStrong, points).Apgr;
                            if (apgr > best.Apgr)
                            {
                                best = (settings, apgr);
                            }
                        }
                    }
                }
            }
        }

        // k was chosen with fewer prompts indexed; the same neighbourhood holds proportionally more of the
        // whole training set (as OutcomeEvaluation scales it).
        var chosen = best.Settings.Clone();
        chosen.K = Math.Clamp((int)Math.Round(best.Settings.K * (double)train.Length * innerFolds / indexed), 1, RankingOptions.MaxK);
        return new ServedSettingsChoice(chosen, best.Apgr, grid.AtEdge(best.Settings));
    }

    private sealed record Data(float[] Matrix, int Dims, double[] Weak, double[] Strong, int[] Classes, IReadOnlyList<string> RouteNames, int[] RouteOf, IReadOnlyList<string> Texts, UtteranceEntry[] Utterances, TextOutcomeModelOptions TextOptions, int Threads);

    /// <summary>
    /// One split, set up once and ranked with any settings: the training prompts as the served state
    /// (outcome statistics, routing table, text model) and every test prompt's nearest training prompts.
    /// </summary>
    private sealed class FoldRanking
    {
        private readonly Data _data;
        private readonly int[] _test;
        private readonly OutcomeStatistics _stats = new();
        private readonly RoutingTable _table;
        private readonly Neighbor[][] _neighbors;
        private readonly Dictionary<string, double>[]? _text;
        private readonly Dictionary<string, double>[]? _routePosterior;

        public FoldRanking(Data data, int[] train, int[] test, int k, bool withText, bool withRouteHead)
        {
            _data = data;
            _test = test;

            // What `outcomes import` of the training prompts leaves behind: each prompt's outcome credits
            // itself (it is the utterance) and its route, once per model.
            foreach (var i in train)
            {
                var credits = new OutcomeCredits([new UtteranceCredit(data.Utterances[i].Key, 1)], [new RouteCredit(data.RouteNames[data.RouteOf[i]], 1)]);
                _stats.Apply(WeakModel, data.Weak[i], credits);
                _stats.Apply(StrongModel, data.Strong[i], credits);
            }

            var priorWeak = train.Average(i => data.Weak[i]);
            var priorStrong = train.Average(i => data.Strong[i]);
            _table = new RoutingTable(data.RouteNames.Select(r => new RouteTargets(r, [new TargetPrior(WeakModel, priorWeak), new TargetPrior(StrongModel, priorStrong)])));
            TextOutcomeModel? textModel = null;
            if (withText)
            {
                var outcomes = train.SelectMany(i => new[] { new TextOutcome(data.Texts[i], WeakModel, data.Weak[i]), new TextOutcome(data.Texts[i], StrongModel, data.Strong[i]) }).ToArray();
                textModel = TextOutcomeModel.Fit(outcomes, data.TextOptions);
                _text = new Dictionary<string, double>[test.Length];
            }

            // The training prompts are the index; the held-out ones are only queries.
            var search = new NeighborSearch(ExactIndex.FromRows(data.Matrix, data.Dims, train), data.Utterances);

            // With RouteHeadWeight > 0, what a fitted route head adds: a softmax regression over the routes,
            // trained on the training prompts (each an utterance of its route), whose posterior each
            // request carries for the ranker to blend with its neighbours' route vote.
            RouteClassifier? routeHead = null;
            if (withRouteHead && data.RouteNames.Count > 1)
            {
                routeHead = OutcomeEvaluation.TrainRouteHead(data.RouteNames, OutcomeEvaluation.Rows(data.Matrix, data.Dims, train), [.. train.Select(i => data.RouteOf[i])], data.Threads);
                _routePosterior = new Dictionary<string, double>[test.Length];
            }

            _neighbors = new Neighbor[test.Length][];
            Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = data.Threads }, j =>
            {
                var q = test[j];
                _neighbors[j] = [.. search.Search(data.Matrix.AsSpan(q * data.Dims, data.Dims), k)];
                if (_text is not null)
                {
                    _text[j] = textModel!.Predict(data.Texts[q], [WeakModel, StrongModel]);
                }

                if (routeHead is not null)
                {
                    var p = routeHead.PredictProbabilities(data.Matrix.AsSpan(q * data.Dims, data.Dims));
                    var posterior = new Dictionary<string, double>(p.Length, StringComparer.Ordinal);
                    for (var r = 0; r < p.Length; r++)
                    {
                        posterior[data.RouteNames[r]] = p[r];
                    }

                    _routePosterior![j] = posterior;
                }
            });
        }

        /// <summary>Quality(strong) − Quality(weak) of every test prompt, ranked with <paramref name="settings"/> (its k at most the k searched).</summary>
        public double[] Score(RankingOptions settings)
        {
            var ranker = new Ranker(_table, settings);
            var alpha = settings.RouteHeadWeight;
            var scores = new double[_test.Length];
            Parallel.For(0, _test.Length, new ParallelOptions { MaxDegreeOfParallelism = _data.Threads }, j =>
            {
                var result = ranker.Rank(new RankerInput(_neighbors[j])
                {
                    Statistics = _stats,
                    TextEstimates = settings.TextModelWeight > 0 ? _text?[j] : null,
                    // As the engine ranks with an index's route head and route_head_weight (outcome routing).
                    RoutePosterior = alpha > 0 && _routePosterior?[j] is { } classifier ? vote => RouteHeadMath.Blend(classifier, vote, alpha) : null,
                });
                double Quality(string model) => result.Models.First(m => m.Model == model).Quality;
                scores[j] = Quality(StrongModel) - Quality(WeakModel);
            });
            return scores;
        }
    }
}
