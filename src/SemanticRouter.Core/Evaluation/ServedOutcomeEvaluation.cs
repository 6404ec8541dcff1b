using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Evaluation;

/// <summary>Result of <see cref="ServedOutcomeEvaluation.Run"/>: the served ranker's figures, their intervals and every prompt's held-out score.</summary>
public sealed record ServedOutcomeResult(RouteLlmMetrics Router, RouteLlmIntervals RouterIntervals, RouteLlmMetrics Random, IReadOnlyList<double> Scores, int Prompts);

/// <summary>
/// Cheap-vs-strong routing on observed outcomes through the served <see cref="Ranker"/>, exactly as
/// <c>serve</c> would rank after <c>outcomes import</c>: per outer fold, every training prompt is an
/// utterance of its route (its file: an MMLU subject) carrying its own two outcomes, each route
/// targets the weak and the strong model with the training folds' success rates as its priors, and the
/// text outcome model is fitted on the training prompts' outcomes. A held-out prompt's score is
/// Quality(strong) − Quality(weak) from the ranker, with the given <see cref="RankingOptions"/> as they
/// are: nothing is chosen on the data, so the figure is the one those settings serve. The folds are
/// <see cref="OutcomeEvaluation"/>'s for the same seed, so the two figures compare prompt for prompt.
/// </summary>
public static class ServedOutcomeEvaluation
{
    private const string WeakModel = "weak";
    private const string StrongModel = "strong";

    public static ServedOutcomeResult Run(
        float[] matrix,
        bool[] weak,
        bool[] strong,
        IReadOnlyList<string> routeNames,
        int[] routeOf,
        IReadOnlyList<string> texts,
        RankingOptions? options = null,
        int folds = 5,
        int seed = 0,
        int points = 10,
        int threads = 0,
        TextOutcomeModelOptions? textOptions = null,
        Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(weak);
        ArgumentNullException.ThrowIfNull(strong);
        ArgumentNullException.ThrowIfNull(routeNames);
        ArgumentNullException.ThrowIfNull(routeOf);
        ArgumentNullException.ThrowIfNull(texts);
        var n = weak.Length;
        if (strong.Length != n || routeOf.Length != n || texts.Count != n || n == 0 || matrix.Length % n != 0)
        {
            throw new ArgumentException("matrix, outcomes, routes and texts need one entry per prompt");
        }

        if (routeOf.Any(r => r < 0 || r >= routeNames.Count))
        {
            throw new ArgumentException("every prompt's route must index routeNames", nameof(routeOf));
        }

        options ??= RankingOptions.Default;
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        textOptions = (textOptions ?? new TextOutcomeModelOptions()) with { Threads = threads };
        var dims = matrix.Length / n;
        var classes = weak.Select((w, i) => (w ? 2 : 0) + (strong[i] ? 1 : 0)).ToArray();
        var assignment = CrossValidation.StratifiedFolds(classes, folds, seed);
        var keys = Enumerable.Range(0, n).Select(i => UtteranceKey.Of(routeNames[routeOf[i]], texts[i])).ToArray();
        var scores = new double[n];
        for (var f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => assignment[i] != f).ToArray();
            var test = Enumerable.Range(0, n).Where(i => assignment[i] == f).ToArray();

            // What `outcomes import` of the training prompts leaves behind: each prompt's outcome credits
            // itself (it is the utterance) and its route, once per model.
            var stats = new OutcomeStatistics();
            foreach (var i in train)
            {
                var credits = new OutcomeCredits([new UtteranceCredit(keys[i], 1)], [new RouteCredit(routeNames[routeOf[i]], 1)]);
                stats.Apply(WeakModel, weak[i] ? 1 : 0, credits);
                stats.Apply(StrongModel, strong[i] ? 1 : 0, credits);
            }

            var priorWeak = train.Average(i => weak[i] ? 1.0 : 0);
            var priorStrong = train.Average(i => strong[i] ? 1.0 : 0);
            var table = new RoutingTable(routeNames.Select(r => new RouteTargets(r, [new TargetPrior(WeakModel, priorWeak), new TargetPrior(StrongModel, priorStrong)])));
            var ranker = new Ranker(table, options);
            TextOutcomeModel? textModel = null;
            if (options.TextModelWeight > 0)
            {
                var outcomes = train.SelectMany(i => new[] { new TextOutcome(texts[i], WeakModel, weak[i] ? 1 : 0), new TextOutcome(texts[i], StrongModel, strong[i] ? 1 : 0) }).ToArray();
                textModel = TextOutcomeModel.Fit(outcomes, textOptions);
            }

            var trainMatrix = new float[train.Length * dims];
            for (var j = 0; j < train.Length; j++)
            {
                matrix.AsSpan(train[j] * dims, dims).CopyTo(trainMatrix.AsSpan(j * dims));
            }

            var exact = new ExactNeighbors(trainMatrix, dims);
            Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
            {
                var q = test[j];
                var hits = exact.Search(matrix.AsSpan(q * dims, dims), options.K);
                var neighbors = hits.Select(h =>
                {
                    var row = train[h.Row];
                    return new Ranking.Neighbor(row, keys[row], routeNames[routeOf[row]], texts[row], h.Similarity);
                }).ToArray();
                var result = ranker.Rank(new RankingRequest(neighbors)
                {
                    Statistics = stats,
                    TextEstimates = textModel?.Predict(texts[q], [WeakModel, StrongModel]),
                });
                double Quality(string model) => result.Models.First(m => m.Model == model).Quality;
                scores[q] = Quality(StrongModel) - Quality(WeakModel);
            });
            log?.Invoke($"fold {f + 1}/{folds}: {test.Length} held-out prompts ranked");
        }

        var w = weak.Select(x => x ? 1.0 : 0).ToList();
        var s = strong.Select(x => x ? 1.0 : 0).ToList();

        // OutcomeEvaluation's random router, draw for draw.
        var random = new Random(seed);
        var randomScores = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToList();
        return new ServedOutcomeResult(
            RouteLlmMetrics.Compute(scores, w, s, points),
            RouteLlmIntervals.Compute(scores, w, s, points, seed: seed, threads: threads),
            RouteLlmMetrics.Compute(randomScores, w, s, points),
            scores,
            n);
    }
}
