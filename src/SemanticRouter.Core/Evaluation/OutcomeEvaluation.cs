using SemanticRouter.Ranking;

namespace SemanticRouter.Evaluation;

/// <summary>Result of <see cref="OutcomeEvaluation.Run"/>: ours, the kNN-only router and the random router, on the same folds.</summary>
public sealed record OutcomeEvaluationResult(
    RouteLlmMetrics Router,
    RouteLlmMetrics KnnOnly,
    RouteLlmMetrics Random,
    IReadOnlyList<OutcomeFoldChoice> ChosenPerFold,
    int Prompts);

/// <summary>What the inner split chose for one outer fold: k, α (outcome head), ρ (route part) and λ_t (text outcome model).</summary>
public readonly record struct OutcomeFoldChoice(int Fold, int K, double Alpha, double Rho, double TextWeight);

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
/// P(0,1) − P(1,0) is the same difference. Score = α·(c) + (1 − α)·(ρ·(b) + (1 − ρ)·(a)); k, α and ρ
/// are chosen per outer fold by a 2-fold split of its training prompts only. With the prompts' texts,
/// (d) the served <see cref="TextOutcomeModel"/> fitted on the training prompts' outcomes of both models
/// gives P̂_text(strong) − P̂_text(weak), blended as the ranker blends it: (1 − λ_t)·score + λ_t·(d), λ_t
/// chosen on the same inner split. Held-out scores of all
/// folds are pooled and swept as in RouteLLM; the random router scores each prompt uniformly at
/// random (seeded).
/// </summary>
public static class OutcomeEvaluation
{
    private const string WeakModel = "weak";
    private const string StrongModel = "strong";

    public static OutcomeEvaluationResult Run(
        float[] matrix,
        bool[] weak,
        bool[] strong,
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
        int innerFolds = 2)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(weak);
        ArgumentNullException.ThrowIfNull(strong);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(innerFolds, 2);
        kValues ??= [10, 25, 50, 100];
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

        // One route: (b) is the same constant for every prompt and carries no ranking signal.
        rhoValues ??= routes.Distinct().Skip(1).Any() ? [0, 0.25, 0.5, 0.75] : [0];
        var n = weak.Length;
        var dims = matrix.Length / n;
        var classes = weak.Select((w, i) => (w ? 2 : 0) + (strong[i] ? 1 : 0)).ToArray();
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
                innerParts.Add((b, Score(matrix, dims, classes, weak, strong, routes, texts, textOptions, a, b, kValues, smoothing, headL2, threads)));
            }

            var bWeak = innerParts.SelectMany(p => p.B).Select(i => weak[i] ? 1.0 : 0).ToList();
            var bStrong = innerParts.SelectMany(p => p.B).Select(i => strong[i] ? 1.0 : 0).ToList();
            var best = (Apgr: double.NegativeInfinity, K: kValues[0], Alpha: 0.0, Rho: 0.0, Text: 0.0);
            foreach (var k in kValues)
            {
                foreach (var alpha in alphaValues)
                {
                    foreach (var rho in rhoValues)
                    {
                        foreach (var lambda in textWeights)
                        {
                            var s = innerParts.SelectMany(p => p.B.Select((_, j) => Combine(p.Parts, j, k, alpha, rho, lambda))).ToList();
                            var m = RouteLlmMetrics.Compute(s, bWeak, bStrong, points);
                            if (m.Apgr > best.Apgr)
                            {
                                best = (m.Apgr, k, alpha, rho, lambda);
                            }
                        }
                    }
                }
            }

            // k was chosen with fewer prompts indexed; the same neighbourhood (the same similarity
            // radius) holds proportionally more prompts in the whole training set.
            var outerK = (int)Math.Round(best.K * (double)train.Length * innerFolds / indexed);
            chosen.Add(new OutcomeFoldChoice(f, outerK, best.Alpha, best.Rho, best.Text));
            log?.Invoke($"fold {f + 1}/{folds}: k={outerK} (inner {best.K}) alpha={best.Alpha} rho={best.Rho} text={best.Text} (inner APGR {best.Apgr:F3})");
            var parts = Score(matrix, dims, classes, weak, strong, routes, best.Text > 0 ? texts : null, textOptions, train, test, [outerK], smoothing, headL2, threads);
            for (var j = 0; j < test.Length; j++)
            {
                scores[test[j]] = Combine(parts, j, outerK, best.Alpha, best.Rho, best.Text);
                knnScores[test[j]] = parts.Knn[outerK][j];
            }
        }

        var w = weak.Select(x => x ? 1.0 : 0).ToList();
        var s2 = strong.Select(x => x ? 1.0 : 0).ToList();
        var random = new Random(seed);
        var randomScores = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToList();
        return new OutcomeEvaluationResult(
            RouteLlmMetrics.Compute(scores, w, s2, points),
            RouteLlmMetrics.Compute(knnScores, w, s2, points),
            RouteLlmMetrics.Compute(randomScores, w, s2, points),
            chosen,
            n);
    }

    private sealed record Parts(Dictionary<int, double[]> Knn, Dictionary<int, double[]> Route, double[] Head, double[]? Text);

    private static double Combine(Parts p, int j, int k, double alpha, double rho, double textWeight)
    {
        var neighbours = (alpha * p.Head[j]) + ((1 - alpha) * ((rho * p.Route[k][j]) + ((1 - rho) * p.Knn[k][j])));
        return textWeight > 0 ? ((1 - textWeight) * neighbours) + (textWeight * p.Text![j]) : neighbours;
    }

    /// <summary>kNN, route and head scores of <paramref name="test"/> rows given <paramref name="train"/> rows.</summary>
    private static Parts Score(float[] matrix, int dims, int[] classes, bool[] weak, bool[] strong, int[] routes, IReadOnlyList<string>? texts, TextOutcomeModelOptions textOptions, int[] train, int[] test, int[] kValues, double beta, double headL2, int threads)
    {
        double[]? textScores = null;
        if (texts is not null)
        {
            // Both models' outcomes on the training prompts, exactly what RecordOutcome would have stored.
            var outcomes = train.SelectMany(i => new[] { new TextOutcome(texts[i], WeakModel, weak[i] ? 1 : 0), new TextOutcome(texts[i], StrongModel, strong[i] ? 1 : 0) }).ToArray();
            var model = TextOutcomeModel.Fit(outcomes, textOptions);
            textScores = new double[test.Length];
            Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
            {
                var p = model.Predict(texts[test[j]], [WeakModel, StrongModel]);
                textScores[j] = p.GetValueOrDefault(StrongModel) - p.GetValueOrDefault(WeakModel);
            });
        }

        var trainMatrix = new float[train.Length * dims];
        for (var j = 0; j < train.Length; j++)
        {
            matrix.AsSpan(train[j] * dims, dims).CopyTo(trainMatrix.AsSpan(j * dims));
        }

        var head = RouteClassifier.Train(["00", "01", "10", "11"], trainMatrix, train.Select(i => classes[i]).ToArray(), new RouteClassifierOptions { L2 = headL2, Threads = threads });
        var priorWeak = train.Average(i => weak[i] ? 1.0 : 0);
        var priorStrong = train.Average(i => strong[i] ? 1.0 : 0);
        // Per route: both models' success counts on the training prompts.
        var routeCount = routes.Max() + 1;
        var trials = new double[routeCount];
        var weakWins = new double[routeCount];
        var strongWins = new double[routeCount];
        foreach (var i in train)
        {
            trials[routes[i]]++;
            weakWins[routes[i]] += weak[i] ? 1 : 0;
            strongWins[routes[i]] += strong[i] ? 1 : 0;
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

        var exact = new ExactNeighbors(trainMatrix, dims);
        var kMax = kValues.Max();
        var knn = kValues.ToDictionary(k => k, _ => new double[test.Length]);
        var route = kValues.ToDictionary(k => k, _ => new double[test.Length]);
        var headScores = new double[test.Length];
        Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
        {
            var q = matrix.AsSpan(test[j] * dims, dims);
            var p = head.PredictProbabilities(q);
            headScores[j] = p[1] - p[2];
            var hits = exact.Search(q, kMax);
            foreach (var k in kValues)
            {
                // The same weighted neighbours vote twice: with their own outcomes (a), and for their
                // routes, P(r|q), whose gains they carry (b). No vote falls back to the prior gain.
                double sw = 0, ss = 0, sum = 0, viaRoutes = 0;
                for (var h = 0; h < Math.Min(k, hits.Length); h++)
                {
                    var row = train[hits[h].Row];
                    var wgt = Math.Max(0, hits[h].Similarity);
                    sum += wgt;
                    sw += wgt * (weak[row] ? 1 : 0);
                    ss += wgt * (strong[row] ? 1 : 0);
                    viaRoutes += wgt * routeGain[routes[row]];
                }

                knn[k][j] = Gain(ss, sw, sum);
                route[k][j] = sum > 0 ? viaRoutes / sum : priorStrong - priorWeak;
            }
        });

        return new Parts(knn, route, headScores, textScores);
    }
}
