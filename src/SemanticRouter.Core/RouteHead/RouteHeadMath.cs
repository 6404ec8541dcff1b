using System.Numerics.Tensors;
using SemanticRouter.Index;

namespace SemanticRouter.RouteHead;

/// <summary>
/// The route head's serving math, one function per step, shared by <c>fit</c> (which chooses the
/// parameters with it), <c>eval</c> and the served path:
/// P_head = softmax(logits / T), P_knn(r) = Σ_{i∈r} w_i / Σ w_i with w_i = exp((s_i − s_1)/τ) over the
/// first k neighbours, and the blend P(r|q) = α·P_head(r) + (1 − α)·P_knn(r), which happens here and
/// nowhere else. Plus the abstention scores the fitted rule compares with its threshold.
/// </summary>
public static class RouteHeadMath
{
    /// <summary>α·P_head + (1 − α)·P_knn for one route: the blend.</summary>
    public static double Blend(double head, double knn, double routeHeadWeight) =>
        (routeHeadWeight * head) + ((1 - routeHeadWeight) * knn);

    /// <summary><see cref="Blend(double, double, double)"/> route by route, into <paramref name="result"/>.</summary>
    public static void Blend(ReadOnlySpan<float> head, ReadOnlySpan<float> knn, double routeHeadWeight, Span<float> result)
    {
        for (var r = 0; r < result.Length; r++)
        {
            result[r] = (float)Blend(head[r], knn[r], routeHeadWeight);
        }
    }

    /// <summary>
    /// The blend over route names, for a ranker that has its own neighbours' vote: P_head is renormalised
    /// over its routes; without neighbours (an empty vote) the head alone decides, and with α = 0 (or a
    /// head without mass) the vote alone. A posterior is a probability: capped at 1 against rounding.
    /// </summary>
    /// <exception cref="ArgumentException">A head probability that is negative or not finite.</exception>
    public static IReadOnlyDictionary<string, double> Blend(IReadOnlyDictionary<string, double> head, IReadOnlyDictionary<string, double> knn, double routeHeadWeight)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(knn);
        if (routeHeadWeight == 0)
        {
            return knn;
        }

        var headTotal = 0.0;
        foreach (var (route, p) in head)
        {
            if (!(p >= 0) || !double.IsFinite(p))
            {
                throw new ArgumentException($"Route posterior of '{route}' is {p}; it must be finite and non-negative.", nameof(head));
            }

            headTotal += p;
        }

        if (headTotal <= 0)
        {
            return knn;
        }

        // α is a blend of two votes, not a discount: with no neighbour to vote, the head's vote is all there is.
        var alpha = knn.Count == 0 ? 1 : routeHeadWeight;
        var blended = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (route, p) in knn)
        {
            blended[route] = Blend(0, p, alpha);
        }

        foreach (var (route, p) in head)
        {
            if (p > 0)
            {
                blended[route] = Math.Min(1, Blend(p / headTotal, knn.GetValueOrDefault(route), alpha));
            }
        }

        return blended;
    }

    /// <summary>softmax(logits / T).</summary>
    public static void HeadPosterior(ReadOnlySpan<float> logits, double temperature, Span<float> posterior)
    {
        for (var r = 0; r < logits.Length; r++)
        {
            posterior[r] = (float)(logits[r] / temperature);
        }

        TensorPrimitives.SoftMax(posterior, posterior);
    }

    /// <summary>
    /// Similarity-weighted kNN posterior over routes: w_i = exp((s_i − s_max)/τ) over the first k
    /// neighbours, P_knn(r) = Σ_{i: route r} w_i / Σ w_i. τ = +∞ (or ≤ 0, treated as +∞) is a plain
    /// majority vote. <paramref name="rowRoute"/> maps a neighbour's id to its route's class.
    /// </summary>
    public static void KnnVote(ReadOnlySpan<VectorHit> neighbors, ReadOnlySpan<int> rowRoute, int k, double temperature, Span<float> vote)
    {
        vote.Clear();
        k = Math.Min(k, neighbors.Length);
        if (k == 0)
        {
            return;
        }

        var max = neighbors[0].Similarity;
        double total = 0;
        for (var i = 0; i < k; i++)
        {
            var w = temperature > 0 && !double.IsPositiveInfinity(temperature) ? Math.Exp((neighbors[i].Similarity - max) / temperature) : 1.0;
            vote[rowRoute[neighbors[i].Id]] += (float)w;
            total += w;
        }

        for (var r = 0; r < vote.Length; r++)
        {
            vote[r] = (float)(vote[r] / total);
        }
    }

    /// <summary>The blended posterior of one query under <paramref name="p"/>, into <paramref name="posterior"/>; returns the best route.</summary>
    public static int Posterior(ReadOnlySpan<float> headLogits, ReadOnlySpan<VectorHit> neighbors, ReadOnlySpan<int> rowRoute, RouteHeadParameters p, Span<float> posterior)
    {
        ArgumentNullException.ThrowIfNull(p);
        var head = new float[headLogits.Length];
        var knn = new float[posterior.Length];
        HeadPosterior(headLogits, p.HeadTemperature, head);
        KnnVote(neighbors, rowRoute, p.K, p.Temperature, knn);
        Blend(head.AsSpan(0, posterior.Length), knn, p.RouteHeadWeight, posterior);
        return TensorPrimitives.IndexOfMax(posterior);
    }

    /// <summary>The abstention score of one query under <paramref name="rule"/> (<see cref="AbstainRules"/>), and the route it predicts.</summary>
    public static double AbstainScore(ReadOnlySpan<float> headLogits, ReadOnlySpan<VectorHit> neighbors, RouteHeadParameters p, string rule, int routeCount, ReadOnlySpan<int> rowRoute, out int predicted)
    {
        var posterior = new float[routeCount];
        predicted = Posterior(headLogits, neighbors, rowRoute, p, posterior);
        return rule switch
        {
            AbstainRules.Posterior => posterior[predicted],
            AbstainRules.Similarity => neighbors.Length > 0 ? neighbors[0].Similarity : 0,
            AbstainRules.HeadMax => HeadMax(headLogits, routeCount),
            AbstainRules.Energy => LogSumExp(headLogits[..routeCount]),
            _ => 1,
        };
    }

    private static double HeadMax(ReadOnlySpan<float> logits, int routeCount) =>
        Math.Exp(TensorPrimitives.Max(logits[..routeCount]) - LogSumExp(logits));

    private static double LogSumExp(ReadOnlySpan<float> logits)
    {
        double max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (var l in logits)
        {
            sum += Math.Exp(l - max);
        }

        return max + Math.Log(sum);
    }
}
