using SemanticRouter.Index;
using SemanticRouter.Ranking;

namespace SemanticRouter.Evaluation;

/// <summary>
/// Each held-out prompt's predicted quality and cost of every model (n × models, row-major), for many
/// settings from one neighbour search per prompt: the neighbours' similarity-weighted outcomes and
/// costs (w_i = exp((s_i − s_1)/τ), as the ranker weighs them), the ridge head per penalty, and their blend.
/// </summary>
internal sealed class CostQualityPredictions
{
    private readonly Dictionary<(int K, double Temperature), (double[] Quality, double[] Cost)> _knn;
    private readonly Dictionary<double, double[]> _head;
    private readonly int _models;
    private readonly bool[] _dominated;

    private CostQualityPredictions(Dictionary<(int, double), (double[], double[])> knn, Dictionary<double, double[]> head, int models, bool[] dominated)
    {
        _knn = knn;
        _head = head;
        _models = models;
        _dominated = dominated;
    }

    /// <summary>Per model, whether another has at least its mean quality at no more mean cost on <paramref name="train"/>, and is better in one.</summary>
    internal static bool[] Dominated(CostQualitySet train)
    {
        var (q, c) = train.Means();
        return [.. Enumerable.Range(0, q.Length).Select(j => Enumerable.Range(0, q.Length).Any(i => i != j && q[i] >= q[j] && c[i] <= c[j] && (q[i] > q[j] || c[i] < c[j])))];
    }

    public static CostQualityPredictions Compute(CostQualitySet train, CostQualitySet test, IReadOnlyCollection<CostQualitySettings> settings, int threads)
    {
        var m = train.ModelCount;
        var d = train.Dimensions;
        var votes = settings.Select(s => (s.K, s.Temperature)).Distinct().ToArray();
        var penalties = settings.Where(s => s.HeadWeight > 0).Select(s => s.HeadL2).Distinct().ToArray();
        var knn = votes.ToDictionary(v => v, _ => (new double[test.Count * m], new double[test.Count * m]));
        var head = new Dictionary<double, double[]>();
        foreach (var alpha in penalties)
        {
            var model = RidgeQualityHead.Fit(train.Matrix, d, train.Scores, m, alpha);
            var p = head[alpha] = new double[test.Count * m];
            Parallel.For(0, test.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
                model.Predict(test.Matrix.AsSpan(i * d, d), p.AsSpan(i * m, m)));
        }

        var index = ExactIndex.FromRows(train.Matrix, d);
        var kMax = Math.Min(votes.Max(v => v.K), train.Count);
        Parallel.For(0, test.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var hits = index.Search(test.Matrix.AsSpan(i * d, d), kMax);
            foreach (var (k, tau) in votes)
            {
                var (quality, cost) = knn[(k, tau)];
                var q = quality.AsSpan(i * m, m);
                var c = cost.AsSpan(i * m, m);
                double total = 0;
                for (var h = 0; h < Math.Min(k, hits.Count); h++)
                {
                    var w = Math.Exp((hits[h].Similarity - hits[0].Similarity) / tau);
                    total += w;
                    var row = hits[h].Id;
                    for (var j = 0; j < m; j++)
                    {
                        q[j] += w * train.Scores[(row * m) + j];
                        c[j] += w * train.Costs[(row * m) + j];
                    }
                }

                for (var j = 0; j < m; j++)
                {
                    q[j] /= total;
                    c[j] /= total;
                }
            }
        });

        return new CostQualityPredictions(knn, head, m, Dominated(train));
    }

    /// <summary>Prompt <paramref name="i"/>'s predicted quality (into <paramref name="quality"/>) and its expected costs (the neighbours').</summary>
    public ReadOnlySpan<double> Predict(CostQualitySettings s, int i, Span<double> quality)
    {
        var (q, c) = _knn[(s.K, s.Temperature)];
        var knn = q.AsSpan(i * _models, _models);
        if (s.HeadWeight > 0)
        {
            var head = _head[s.HeadL2].AsSpan(i * _models, _models);
            for (var j = 0; j < _models; j++)
            {
                // Clamped as the ranker clamps its blend: a probability, so ties at 1 stay ties.
                quality[j] = Math.Clamp(((1 - s.HeadWeight) * knn[j]) + (s.HeadWeight * head[j]), 0, 1);
            }
        }
        else
        {
            knn.CopyTo(quality);
        }

        if (s.PruneDominated)
        {
            for (var j = 0; j < _models; j++)
            {
                if (_dominated[j])
                {
                    quality[j] = double.NegativeInfinity; // never chosen, whatever λ
                }
            }
        }

        return c.AsSpan(i * _models, _models);
    }
}
