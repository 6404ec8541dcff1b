using SemanticRouter.Index;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;

namespace SemanticRouter.Evaluation;

/// <summary>
/// Result of <see cref="OutcomeEvaluation.Run"/>: ours, the kNN-only router and the random router, on the
/// same folds; the bootstrap intervals of ours; and every prompt's held-out score (higher = strong model).
/// </summary>
public sealed record OutcomeEvaluationResult(
    RouteLlmMetrics Router,
    RouteLlmIntervals RouterIntervals,
    IReadOnlyList<double> Scores,
    RouteLlmMetrics KnnOnly,
    RouteLlmMetrics Random,
    IReadOnlyList<OutcomeFoldChoice> ChosenPerFold,
    int Prompts);

/// <summary>What the inner split chose for one outer fold: k, τ, α (outcome head), ρ (route part), λ_t and the L2 of the text outcome model (τ = 0: raw cosine weights).</summary>
public readonly record struct OutcomeFoldChoice(int Fold, int K, double Temperature, double Alpha, double Rho, double TextWeight, double TextL2);

/// <summary>
/// Cross-validated cheap-vs-strong routing on observed outcomes (RouteLLM's MMLU format). Per outer
/// fold: the training folds' prompts are the index, each with its two outcomes and its route (the
/// file it came from: an MMLU subject). A held-out prompt's score is P̂(strong correct) − P̂(weak
/// correct), blended from three estimates as the ranker smooths utterance → route:
/// (a) per prompt: its k nearest training prompts (similarity-weighted, Beta-smoothed towards the
/// training mean with strength β); (b) per route: Σ_r P(r|q)·(Ŝ_r − Ŵ_r), where P(r|q) is the same
/// neighbours' similarity-weighted route vote (the held-out prompt's own route is never looked at)
/// and Ŝ_r, Ŵ_r are the route's Beta-smoothed success rates on the training prompts; (c) an outcome
/// head: a 4-class softmax regression over (weak, strong) ∈ {0,1}² on the embeddings, whose
/// P(0,1) − P(1,0) is the same difference (graded outcomes in [0, 1] train it on soft targets,
/// <see cref="OutcomeTargets"/>; every other part averages them as they are). Score = α·(c) + (1 − α)·(ρ·(b) + (1 − ρ)·(a)); k, α and ρ
/// are chosen per outer fold on an inner split of its training prompts only (<c>innerFolds</c>, 5 by default;
/// with <c>ensemble</c> N &gt; 1 a held-out prompt's score is the mean of the N best inner configurations'). With the prompts' texts,
/// (d) the served <see cref="TextOutcomeModel"/> fitted on the training prompts' outcomes of both models
/// gives P̂_text(strong) − P̂_text(weak), blended as the ranker blends it: (1 − λ_t)·score + λ_t·(d), λ_t
/// and the text model's L2 chosen on the same inner split. Held-out scores of all
/// folds are pooled and swept as in RouteLLM; the random router scores each prompt uniformly at
/// random (seeded). <see cref="ServedOutcomeEvaluation"/> measures the served ranker itself on the same folds.
/// </summary>
public static class OutcomeEvaluation
{
    /// <summary>
    /// Each prompt's (weak, strong) outcome pair as a class 0–3, the strata of every fold assignment
    /// (a graded score counts as a success from 0.5 up): <see cref="ServedOutcomeEvaluation"/> uses
    /// them too, so both get the same folds for a seed.
    /// </summary>
    internal static int[] OutcomeClasses(double[] weak, double[] strong) => [.. weak.Select((w, i) => (w >= 0.5 ? 2 : 0) + (strong[i] >= 0.5 ? 1 : 0))];

    /// <summary>Refuses outcomes that are not scores in [0, 1], or not one per prompt for each model.</summary>
    internal static void CheckOutcomes(double[] weak, double[] strong)
    {
        ArgumentNullException.ThrowIfNull(weak);
        ArgumentNullException.ThrowIfNull(strong);
        if (strong.Length != weak.Length)
        {
            throw new ArgumentException($"{weak.Length} weak outcomes but {strong.Length} strong ones", nameof(strong));
        }

        foreach (var (outcomes, name) in new[] { (weak, nameof(weak)), (strong, nameof(strong)) })
        {
            var bad = Array.FindIndex(outcomes, o => !(o is >= 0 and <= 1));
            if (bad >= 0)
            {
                throw new ArgumentOutOfRangeException(name, $"outcome {bad} is {outcomes[bad]}, not a score in [0, 1]");
            }
        }
    }

    /// <summary>
    /// The outcome head's targets: per row the distribution over (weak, strong) ∈ {0,1}² that two
    /// independent outcomes with these success probabilities give, (1−w)(1−s), (1−w)s, w(1−s), ws. With
    /// yes/no outcomes that is the one-hot class of <see cref="OutcomeClasses"/>; with graded scores,
    /// P(0,1) − P(1,0) still estimates the expected gain s − w.
    /// </summary>
    internal static float[] OutcomeTargets(double[] weak, double[] strong, int[] rows)
    {
        var targets = new float[rows.Length * 4];
        for (var j = 0; j < rows.Length; j++)
        {
            double w = weak[rows[j]], s = strong[rows[j]];
            targets[(j * 4) + 0] = (float)((1 - w) * (1 - s));
            targets[(j * 4) + 1] = (float)((1 - w) * s);
            targets[(j * 4) + 2] = (float)(w * (1 - s));
            targets[(j * 4) + 3] = (float)(w * s);
        }

        return targets;
    }

    /// <summary>
    /// The route head of <c>--route-head</c> and of the served evaluation's <c>RouteHeadWeight</c>: a
    /// softmax regression over the routes on the given rows. L2 1e-3 and 150 iterations were set once by
    /// hand, not tuned on MMLU, as its measurements were run.
    /// </summary>
    internal static RouteClassifier TrainRouteHead(IReadOnlyList<string> routeNames, float[] rows, int[] labels, int threads) =>
        RouteClassifier.Train(routeNames, rows, labels, new RouteClassifierOptions { L2 = 1e-3, MaxIterations = 150, Threads = threads });

    /// <summary>The given rows of a row-major matrix, in order, as a matrix of their own.</summary>
    internal static float[] Rows(float[] matrix, int dims, int[] rows)
    {
        var result = new float[rows.Length * dims];
        for (var j = 0; j < rows.Length; j++)
        {
            matrix.AsSpan(rows[j] * dims, dims).CopyTo(result.AsSpan(j * dims));
        }

        return result;
    }

    private const string WeakModel = "weak";
    private const string StrongModel = "strong";

    public static OutcomeEvaluationResult Run(
        float[] matrix,
        double[] weak,
        double[] strong,
        int folds = 5,
        int seed = 0,
        int[]? kValues = null,
        double[]? alphaValues = null,
        double smoothing = 2.0,
        int points = 10,
        int threads = 0,
        Action<string>? log = null,
        double headL2 = 1e-2,
        int[]? routes = null,
        double[]? rhoValues = null,
        IReadOnlyList<string>? texts = null,
        double[]? textWeights = null,
        TextOutcomeModelOptions? textOptions = null,
        double[]? textL2Values = null,
        double[]? temperatureValues = null,
        int innerFolds = 5,
        int ensemble = 1,
        bool routeHead = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        CheckOutcomes(weak, strong);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(innerFolds, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(ensemble, 1);
        kValues ??= [10, 25, 50, 100, 200];
        temperatureValues ??= [0]; // raw cosine: a τ grid (0.05–0.5) was measured and not adopted (docs/evaluation.md)
        if (temperatureValues.Length == 0 || temperatureValues.Any(t => !(t >= 0) || !double.IsFinite(t)))
        {
            throw new ArgumentException("temperatures must be finite and non-negative (0 = raw cosine weights)", nameof(temperatureValues));
        }
        alphaValues ??= [0, 0.25, 0.5, 0.75, 1];
        routes ??= new int[weak.Length];
        if (routes.Length != weak.Length || routes.Any(r => r < 0))
        {
            throw new ArgumentException("routes needs one non-negative route index per prompt", nameof(routes));
        }

        if (texts is not null && texts.Count != weak.Length)
        {
            throw new ArgumentException("texts needs one prompt text per prompt", nameof(texts));
        }

        textWeights = texts is null ? [0] : textWeights ?? [0, 0.2, 0.35, 0.5, 0.65, 0.8];
        textOptions = (textOptions ?? new TextOutcomeModelOptions()) with { Threads = threads };
        textL2Values = texts is null ? [textOptions.L2] : textL2Values ?? [1e-4, 1e-5, 1e-6];

        // One route: (b) is the same constant for every prompt and carries no ranking signal.
        rhoValues ??= routes.Distinct().Skip(1).Any() ? [0, 0.25, 0.5, 0.75, 1] : [0];
        var n = weak.Length;
        var dims = matrix.Length / n;
        var classes = OutcomeClasses(weak, strong);
        var assignment = CrossValidation.StratifiedFolds(classes, folds, seed);
        var scores = new double[n];
        var knnScores = new double[n];
        var chosen = new List<OutcomeFoldChoice>();
        for (var f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => assignment[i] != f).ToArray();
            var test = Enumerable.Range(0, n).Where(i => assignment[i] == f).ToArray();

            // An inner split of the training prompts chooses k, α, ρ and λ_t: each inner fold is scored
            // with the other inner folds indexed, and the choice is made on all of them pooled.
            var inner = CrossValidation.StratifiedFolds(train.Select(i => classes[i]).ToArray(), innerFolds, seed + 1 + f);
            var innerParts = new List<(int[] B, Parts Parts)>();
            var indexed = 0;
            for (var g = 0; g < innerFolds; g++)
            {
                var a = train.Where((_, j) => inner[j] != g).ToArray();
                var b = train.Where((_, j) => inner[j] == g).ToArray();
                indexed += a.Length;
                innerParts.Add((b, Score(matrix, dims, weak, strong, routes, texts, textOptions, textL2Values, a, b, kValues, temperatureValues, smoothing, headL2, routeHead, threads)));
            }

            var bWeak = innerParts.SelectMany(p => p.B).Select(i => weak[i]).ToList();
            var bStrong = innerParts.SelectMany(p => p.B).Select(i => strong[i]).ToList();
            var candidates = new List<Config>();
            foreach (var (k, tau) in kValues.SelectMany(k => temperatureValues.Select(t => (k, t))))
            {
                foreach (var alpha in alphaValues)
                {
                    foreach (var rho in rhoValues)
                    {
                        foreach (var lambda in textWeights)
                        {
                            // λ_t = 0 ignores the text model: its L2 does not matter, try it once
                            foreach (var l2 in lambda > 0 ? textL2Values : textL2Values[..1])
                            {
                                var s = innerParts.SelectMany(p => p.B.Select((_, j) => Combine(p.Parts, j, (k, tau), alpha, rho, lambda, l2))).ToList();
                                candidates.Add(new Config(RouteLlmMetrics.Compute(s, bWeak, bStrong, points).Apgr, k, tau, alpha, rho, lambda, l2));
                            }
                        }
                    }
                }
            }

            // The best inner configuration, or the mean score of the best few: the maximum over a grid
            // of noisy inner figures is partly luck, and averaging its runners-up averages that luck out.
            var top = candidates.OrderByDescending(c => c.Apgr).Take(ensemble)
                .Select(c => c with
                {
                    // k was chosen with fewer prompts indexed; the same neighbourhood (the same similarity
                    // radius) holds proportionally more prompts in the whole training set.
                    K = (int)Math.Round(c.K * (double)train.Length * innerFolds / indexed),

                    // L2 is per outcome (mean loss + L2/2·‖w‖²): the same total penalty over more outcomes is a
                    // proportionally smaller L2.
                    L2 = c.L2 * indexed / ((double)train.Length * innerFolds),
                }).ToList();
            var best = top[0];
            chosen.Add(new OutcomeFoldChoice(f, best.K, best.Temperature, best.Alpha, best.Rho, best.Text, best.L2));
            log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"fold {f + 1}/{folds}: k={best.K} temperature={best.Temperature} alpha={best.Alpha} rho={best.Rho} text={best.Text} text-L2={best.L2:0.0e0} (inner APGR {best.Apgr:F3}{(top.Count > 1 ? $"; mean of the best {top.Count}, inner APGR down to {top[^1].Apgr:F3}" : "")})"));
            var withText = top.Any(c => c.Text > 0);
            var parts = Score(matrix, dims, weak, strong, routes, withText ? texts : null, textOptions, [.. top.Where(c => c.Text > 0).Select(c => c.L2).Distinct()], train, test, [.. top.Select(c => c.K).Distinct()], [.. top.Select(c => c.Temperature).Distinct()], smoothing, headL2, routeHead, threads);
            for (var j = 0; j < test.Length; j++)
            {
                scores[test[j]] = top.Average(c => Combine(parts, j, (c.K, c.Temperature), c.Alpha, c.Rho, c.Text, c.L2));
                knnScores[test[j]] = parts.Knn[(best.K, best.Temperature)][j];
            }
        }

        var w = weak;
        var s2 = strong;
        var random = new Random(seed);
        var randomScores = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToList();
        return new OutcomeEvaluationResult(
            RouteLlmMetrics.Compute(scores, w, s2, points),
            RouteLlmIntervals.Compute(scores, w, s2, points, seed: seed, threads: threads),
            scores,
            RouteLlmMetrics.Compute(knnScores, w, s2, points),
            RouteLlmMetrics.Compute(randomScores, w, s2, points),
            chosen,
            n);
    }

    /// <summary>One point of the inner grid and the inner APGR it reached.</summary>
    private readonly record struct Config(double Apgr, int K, double Temperature, double Alpha, double Rho, double Text, double L2);

    private sealed record Parts(Dictionary<(int K, double Temperature), double[]> Knn, Dictionary<(int K, double Temperature), double[]> Route, double[] Head, Dictionary<double, double[]>? Text);

    private static double Combine(Parts p, int j, (int K, double Temperature) vote, double alpha, double rho, double textWeight, double textL2)
    {
        var neighbours = (alpha * p.Head[j]) + ((1 - alpha) * ((rho * p.Route[vote][j]) + ((1 - rho) * p.Knn[vote][j])));
        return textWeight > 0 ? ((1 - textWeight) * neighbours) + (textWeight * p.Text![textL2][j]) : neighbours;
    }

    /// <summary>kNN, route and head scores of <paramref name="test"/> rows given <paramref name="train"/> rows.</summary>
    private static Parts Score(float[] matrix, int dims, double[] weak, double[] strong, int[] routes, IReadOnlyList<string>? texts, TextOutcomeModelOptions textOptions, double[] textL2Values, int[] train, int[] test, int[] kValues, double[] temperatures, double beta, double headL2, bool routeHead, int threads)
    {
        Dictionary<double, double[]>? textScores = null;
        if (texts is not null)
        {
            // Both models' outcomes on the training prompts, exactly what RecordOutcome would have stored.
            var outcomes = train.SelectMany(i => new[] { new TextOutcome(texts[i], WeakModel, weak[i]), new TextOutcome(texts[i], StrongModel, strong[i]) }).ToArray();
            textScores = [];
            foreach (var l2 in textL2Values)
            {
                var model = TextOutcomeModel.Fit(outcomes, textOptions with { L2 = l2 });
                var gains = textScores[l2] = new double[test.Length];
                Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
                {
                    var p = model.Predict(texts[test[j]], [WeakModel, StrongModel]);
                    gains[j] = p.GetValueOrDefault(StrongModel) - p.GetValueOrDefault(WeakModel);
                });
            }
        }

        var trainMatrix = Rows(matrix, dims, train);

        var head = RouteClassifier.TrainOnTargets(["00", "01", "10", "11"], trainMatrix, OutcomeTargets(weak, strong, train), new RouteClassifierOptions { L2 = headL2, Threads = threads });
        var priorWeak = train.Average(i => weak[i]);
        var priorStrong = train.Average(i => strong[i]);
        // Per route: both models' success counts on the training prompts.
        var routeCount = routes.Max() + 1;
        var trials = new double[routeCount];
        var weakWins = new double[routeCount];
        var strongWins = new double[routeCount];
        foreach (var i in train)
        {
            trials[routes[i]]++;
            weakWins[routes[i]] += weak[i];
            strongWins[routes[i]] += strong[i];
        }

        // P̂(strong) − P̂(weak), each Beta-smoothed towards the training mean: one formula for a route's
        // prompts and for a query's weighted neighbours.
        double Gain(double strongWins, double weakWins, double trials) =>
            ((strongWins + (beta * priorStrong)) / (trials + beta)) - ((weakWins + (beta * priorWeak)) / (trials + beta));

        var routeGain = new double[routeCount];
        for (var r = 0; r < routeCount; r++)
        {
            routeGain[r] = Gain(strongWins[r], weakWins[r], trials[r]);
        }

        // With routeHead, P(r|q) in (b) comes from a softmax regression over the routes (the route
        // head's model) instead of the neighbours' route vote; measured, not adopted (docs/evaluation.md).
        var subjects = routeHead && routeCount > 1
            ? TrainRouteHead([.. Enumerable.Range(0, routeCount).Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture))], trainMatrix, [.. train.Select(i => routes[i])], threads)
            : null;
        var exact = ExactIndex.FromRows(trainMatrix, dims);
        var kMax = kValues.Max();
        var votes = kValues.SelectMany(k => temperatures.Select(t => (k, t))).ToArray();
        var knn = votes.ToDictionary(v => v, _ => new double[test.Length]);
        var route = votes.ToDictionary(v => v, _ => new double[test.Length]);
        var headScores = new double[test.Length];
        Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
        {
            var q = matrix.AsSpan(test[j] * dims, dims);
            var p = head.PredictProbabilities(q);
            headScores[j] = p[1] - p[2];
            var hits = exact.Search(q, kMax);
            var viaHead = double.NaN;
            if (subjects is not null)
            {
                var posterior = subjects.PredictProbabilities(q);
                viaHead = 0;
                for (var r = 0; r < routeCount; r++)
                {
                    viaHead += posterior[r] * routeGain[r];
                }
            }

            foreach (var (k, tau) in votes)
            {
                // The same weighted neighbours vote twice: with their own outcomes (a), and for their
                // routes, P(r|q), whose gains they carry (b). No vote falls back to the prior gain.
                // Weights as the ranker weighs them, exp((s_i − s_1)/τ); τ = 0 keeps raw cosines.
                double sw = 0, ss = 0, sum = 0, viaRoutes = 0;
                for (var h = 0; h < Math.Min(k, hits.Count); h++)
                {
                    var row = train[hits[h].Id];
                    var wgt = tau > 0 ? Math.Exp((hits[h].Similarity - hits[0].Similarity) / tau) : Math.Max(0, hits[h].Similarity);
                    sum += wgt;
                    sw += wgt * weak[row];
                    ss += wgt * strong[row];
                    viaRoutes += wgt * routeGain[routes[row]];
                }

                knn[(k, tau)][j] = Gain(ss, sw, sum);
                route[(k, tau)][j] = subjects is not null ? viaHead : sum > 0 ? viaRoutes / sum : priorStrong - priorWeak;
            }
        });

        return new Parts(knn, route, headScores, textScores);
    }
}
