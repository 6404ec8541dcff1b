namespace SemanticRouter.Evaluation;

/// <summary>Route scores from neighbours, the baselines and the blended posterior.</summary>
public static class RouteVoting
{
    /// <summary>
    /// Similarity-weighted kNN posterior over routes: w_i = exp((s_i − s_max)/τ) over the first k
    /// neighbours, P_knn(r) = Σ_{i: route r} w_i / Σ w_i. τ = +∞ (or ≤ 0 treated as +∞) gives a plain majority vote.
    /// </summary>
    public static void KnnPosterior(ReadOnlySpan<Neighbor> neighbors, ReadOnlySpan<int> rowRoute, int k, double tau, Span<float> posterior)
    {
        posterior.Clear();
        k = Math.Min(k, neighbors.Length);
        if (k == 0)
        {
            return;
        }

        var max = neighbors[0].Similarity;
        double total = 0;
        for (var i = 0; i < k; i++)
        {
            var w = tau > 0 && !double.IsPositiveInfinity(tau) ? Math.Exp((neighbors[i].Similarity - max) / tau) : 1.0;
            posterior[rowRoute[neighbors[i].Row]] += (float)w;
            total += w;
        }

        for (var r = 0; r < posterior.Length; r++)
        {
            posterior[r] = (float)(posterior[r] / total);
        }
    }

    /// <summary>Plain majority vote of the first k neighbours; ties go to the route with the nearer best neighbour.</summary>
    public static int MajorityVote(ReadOnlySpan<Neighbor> neighbors, ReadOnlySpan<int> rowRoute, int k)
    {
        var counts = new Dictionary<int, int>();
        var best = -1;
        var bestCount = 0;
        k = Math.Min(k, neighbors.Length);
        for (var i = 0; i < k; i++)
        {
            var r = rowRoute[neighbors[i].Row];
            var c = counts[r] = counts.GetValueOrDefault(r) + 1;
            if (c > bestCount)
            {
                best = r;
                bestCount = c;
            }
        }

        // earliest route to reach the top count is the one whose nearest neighbour is nearest
        foreach (var (route, count) in counts)
        {
            if (count == bestCount && FirstIndex(neighbors, rowRoute, route, k) < FirstIndex(neighbors, rowRoute, best, k))
            {
                best = route;
            }
        }

        return best;
    }

    /// <summary>semantic-router's aggregation: the top-k utterances grouped by route, route score = mean similarity; best route.</summary>
    public static (int Route, double Score) SemanticRouterMean(ReadOnlySpan<Neighbor> neighbors, ReadOnlySpan<int> rowRoute, int k = 5)
    {
        var sums = new Dictionary<int, (double Sum, int Count)>();
        k = Math.Min(k, neighbors.Length);
        for (var i = 0; i < k; i++)
        {
            var r = rowRoute[neighbors[i].Row];
            var (s, c) = sums.GetValueOrDefault(r);
            sums[r] = (s + neighbors[i].Similarity, c + 1);
        }

        var best = (Route: -1, Score: double.NegativeInfinity);
        foreach (var (route, (s, c)) in sums.OrderBy(p => p.Key))
        {
            if (s / c > best.Score)
            {
                best = (route, s / c);
            }
        }

        return best;
    }

    /// <summary>P = α·P_head + (1 − α)·P_knn, written into <paramref name="result"/>.</summary>
    public static void Blend(ReadOnlySpan<float> head, ReadOnlySpan<float> knn, double alpha, Span<float> result)
    {
        for (var r = 0; r < result.Length; r++)
        {
            result[r] = (float)((alpha * head[r]) + ((1 - alpha) * knn[r]));
        }
    }

    private static int FirstIndex(ReadOnlySpan<Neighbor> neighbors, ReadOnlySpan<int> rowRoute, int route, int k)
    {
        for (var i = 0; i < k; i++)
        {
            if (rowRoute[neighbors[i].Row] == route)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
