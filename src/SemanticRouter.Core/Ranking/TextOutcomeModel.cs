using SemanticRouter.Numerics;
using SemanticRouter.Outcomes;

namespace SemanticRouter.Ranking;

/// <summary>Training options of <see cref="TextOutcomeModel"/>.</summary>
public sealed record TextOutcomeModelOptions
{
    /// <summary>log₂ of the number of hash buckets. Default 19 (524,288 buckets, 2 MiB of weights per model).</summary>
    public int BucketBits { get; init; } = 19;

    /// <summary>Longest word n-gram. Default 3.</summary>
    public int MaxN { get; init; } = 3;

    /// <summary>
    /// L2 penalty per outcome: loss = mean cross-entropy + L2/2·‖w‖² (the bias bucket is not penalised).
    /// Default 1e-5: what the inner splits chose on RouteLLM's MMLU outcomes in 4 of 5 folds (docs/evaluation.md).
    /// </summary>
    public double L2 { get; init; } = 1e-5;

    /// <summary>A model is predicted only once it has this many outcomes with text. Default 50.</summary>
    public int MinOutcomes { get; init; } = 50;

    /// <summary>Maximum L-BFGS iterations per model.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>Stop when the relative loss decrease over an iteration falls below this.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Worker threads (the result does not depend on it beyond float rounding).</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);
}

/// <summary>
/// The text outcome model: per target model, a logistic regression of its observed success on the
/// query's hashed word n-grams (<see cref="HashedNgrams"/>, rows L2-normalised), fitted by full-batch
/// L-BFGS. It sees words the sentence embedding blurs — a topic's jargon, "NOT", "Statement 1",
/// numbers — and complements the neighbours' success estimates (docs/ranking.md). Immutable once
/// fitted and thread-safe; the engine refits a fresh one from the outcome store and swaps it in.
/// </summary>
public sealed class TextOutcomeModel
{
    private readonly HashedNgrams _features;
    private readonly Dictionary<string, (float[] Weights, int Outcomes)> _models;

    private TextOutcomeModel(HashedNgrams features, Dictionary<string, (float[], int)> models, int outcomes, int iterations)
    {
        _features = features;
        _models = models;
        OutcomeCount = outcomes;
        Iterations = iterations;
    }

    /// <summary>L-BFGS iterations the fit took, over all models (for tests and benchmarks of the warm start).</summary>
    internal int Iterations { get; }

    /// <summary>Outcomes the model was fitted on.</summary>
    public int OutcomeCount { get; }

    /// <summary>Models it predicts (those with at least <see cref="TextOutcomeModelOptions.MinOutcomes"/> outcomes).</summary>
    public IReadOnlyCollection<string> Models => _models.Keys;

    /// <summary>Outcomes of <paramref name="model"/> it was fitted on (0 when it does not predict the model).</summary>
    public int OutcomesOf(string model) => _models.TryGetValue(model, out var m) ? m.Outcomes : 0;

    /// <summary>
    /// Fits one logistic regression per model with enough outcomes; models with fewer are left out.
    /// With <c>warmStart</c>, a model fitted earlier with the same features (bucket bits and n-gram
    /// length), each model starts from that one's weights instead of zero. The loss is convex, so the
    /// optimum is the same; a refit after 10 % more outcomes just gets there in fewer iterations. A
    /// warm start with other features is ignored.
    /// </summary>
    public static TextOutcomeModel Fit(IReadOnlyList<TextOutcome> outcomes, TextOutcomeModelOptions? options = null, TextOutcomeModel? warmStart = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        options ??= new TextOutcomeModelOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinOutcomes, 1);
        if (!(options.L2 > 0) || !double.IsFinite(options.L2))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.L2, "L2 must be positive and finite.");
        }

        var features = new HashedNgrams(options.BucketBits, options.MaxN);
        foreach (var o in outcomes)
        {
            if (o.Text is null || o.Model is null || !(o.Score is >= 0 and <= 1))
            {
                throw new ArgumentException($"Outcome of '{o.Model}' needs a text, a model and a score in [0, 1] (got {o.Score}).", nameof(outcomes));
            }
        }

        // Texts repeat across models (one query, several models' outcomes): hash each once.
        var rows = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var o in outcomes)
        {
            if (!rows.ContainsKey(o.Text))
            {
                rows[o.Text] = features.Features(o.Text);
            }
        }

        var start = warmStart is not null && warmStart._features.Buckets == features.Buckets && warmStart._features.MaxN == features.MaxN ? warmStart._models : null;
        var models = new Dictionary<string, (float[], int)>(StringComparer.Ordinal);
        var iterations = 0;
        foreach (var group in outcomes.GroupBy(o => o.Model, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var examples = group.Select(o => (rows[o.Text], o.Score)).ToArray();
            if (examples.Length < options.MinOutcomes)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var initial = start is not null && start.TryGetValue(group.Key, out var previous) ? previous.Weights : null;
            var (weights, taken) = FitOne(examples, features.Buckets, options, initial, cancellationToken);
            models[group.Key] = (weights, examples.Length);
            iterations += taken;
        }

        return new TextOutcomeModel(features, models, outcomes.Count, iterations);
    }

    /// <summary>P̂(success) of each of <paramref name="models"/> that this model predicts (others are absent).</summary>
    public Dictionary<string, double> Predict(string text, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(models);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        int[]? x = null;
        foreach (var model in models)
        {
            if (_models.TryGetValue(model, out var m) && !result.ContainsKey(model))
            {
                x ??= _features.Features(text);
                result[model] = Sigmoid(Dot(m.Weights, x));
            }
        }

        return result;
    }

    /// <summary>
    /// P̂(success) for a conversation: the predictions for each turn, weighted as
    /// <see cref="ConversationEmbedding.Blend"/> weighs the turns' embeddings: the last turn 1, the
    /// previous γ, the one before γ², … (<paramref name="earlierTurns"/> oldest first). A vague
    /// follow-up ("and in Python?") has few words of its own, so it borrows its conversation's; the
    /// last turn still weighs most. The predictions are averaged rather than the rows, so the blend
    /// stays within the turns' own estimates. γ = 0 or no earlier turn is <see cref="Predict(string, IEnumerable{string})"/>.
    /// </summary>
    public Dictionary<string, double> Predict(string text, IReadOnlyList<string> earlierTurns, double decay, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(earlierTurns);
        ConversationEmbedding.ThrowIfBadDecay(decay);
        var result = Predict(text, models);
        var n = earlierTurns.Count;
        if (n == 0 || decay == 0 || result.Count == 0)
        {
            return result;
        }

        // result holds the weighted sums until the division below.
        var total = 1.0;
        for (var j = 0; j < n; j++)
        {
            var turn = earlierTurns[j] ?? throw new ArgumentException($"Earlier turn {j} is null.", nameof(earlierTurns));
            var weight = ConversationEmbedding.TurnWeight(n, j, decay);
            total += weight;
            foreach (var (model, p) in Predict(turn, result.Keys))
            {
                result[model] += weight * p;
            }
        }

        foreach (var model in result.Keys)
        {
            result[model] /= total;
        }

        return result;
    }

    /// <summary>w·x for a binary row scaled to unit length.</summary>
    private static double Dot(float[] w, int[] x)
    {
        double s = 0;
        foreach (var j in x)
        {
            s += w[j];
        }

        return s / Math.Sqrt(x.Length);
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static (float[] Weights, int Iterations) FitOne((int[] X, double Y)[] allBuckets, int buckets, TextOutcomeModelOptions options, float[]? initial, CancellationToken cancellationToken)
    {
        // Optimise over the buckets that can move only: those the examples use, the bias, and those the warm
        // start holds non-zero (the L2 term pulls them). Every other weight has a zero gradient from a zero start
        // and stays zero, so the iterates are the same as over all 2^bits buckets, but L-BFGS's history (2 × 10
        // vectors) and the per-thread gradients are sized by the data, not by the hash space: 2^19 buckets made
        // each fit allocate ~100 MB, which the GC kept (issue 27: RSS 600 MB against 243 MB without the model).
        var active = new SortedSet<int> { HashedNgrams.BiasBucket };
        foreach (var (x, _) in allBuckets)
        {
            active.UnionWith(x);
        }

        if (initial is not null)
        {
            for (var j = 0; j < initial.Length; j++)
            {
                if (initial[j] != 0)
                {
                    active.Add(j);
                }
            }
        }

        var toBucket = active.ToArray();
        var toCompact = new Dictionary<int, int>(toBucket.Length);
        for (var c = 0; c < toBucket.Length; c++)
        {
            toCompact[toBucket[c]] = c;
        }

        var examples = Array.ConvertAll(allBuckets, e => (Array.ConvertAll(e.X, j => toCompact[j]), e.Y));
        var bias = toCompact[HashedNgrams.BiasBucket];
        var dimensions = toBucket.Length;
        var threads = Math.Clamp(options.Threads, 1, Math.Max(1, examples.Length / 256));
        var partial = Enumerable.Range(0, threads).Select(_ => new double[dimensions]).ToArray();
        var losses = new double[threads];
        var n = examples.Length;

        double Loss(double[] w, double[] g)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var gt = partial[t];
                Array.Clear(gt);
                double loss = 0;
                for (var i = t; i < n; i += threads)
                {
                    var (x, y) = examples[i];
                    var scale = 1 / Math.Sqrt(x.Length);
                    double z = 0;
                    foreach (var j in x)
                    {
                        z += w[j];
                    }

                    z *= scale;

                    // log(1 + e^z) − y·z, computed without overflow
                    loss += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - (y * z);
                    var r = (Sigmoid(z) - y) * scale;
                    foreach (var j in x)
                    {
                        gt[j] += r;
                    }
                }

                losses[t] = loss;
            });

            var total = losses.Sum() / n;
            var l2 = options.L2;
            for (var j = 0; j < dimensions; j++)
            {
                double gj = 0;
                for (var t = 0; t < threads; t++)
                {
                    gj += partial[t][j];
                }

                g[j] = gj / n;
                if (j != bias)
                {
                    g[j] += l2 * w[j];
                    total += 0.5 * l2 * w[j] * w[j];
                }
            }

            return total;
        }

        var weights = initial is null ? new double[dimensions] : Array.ConvertAll(toBucket, j => (double)initial[j]);
        var (_, iterations) = Lbfgs.Minimize(Loss, weights, options.MaxIterations, options.Tolerance);
        var full = new float[buckets];
        for (var c = 0; c < dimensions; c++)
        {
            full[toBucket[c]] = (float)weights[c];
        }

        return (full, iterations);
    }
}
