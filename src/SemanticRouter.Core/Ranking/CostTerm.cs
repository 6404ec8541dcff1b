namespace SemanticRouter.Ranking;

/// <summary>
/// The one cost term of a ranking: score(m) = quality(m) − λ · cost(m) / max_m' cost(m'), the cost
/// relative to the priciest candidate for this query, so λ means the same whatever the currency or the
/// price level (λ = 1: paying the top price must buy a whole point of success probability). The ranker
/// and the cost–quality evaluation both call it, so <c>eval</c> and <c>serve</c> choose alike at a λ.
/// </summary>
public static class CostTerm
{
    /// <summary>cost / max cost (0 when every cost is 0).</summary>
    public static double Normalised(double cost, double maxCost) => maxCost > 0 ? cost / maxCost : 0;

    /// <summary>quality − λ · cost / max cost.</summary>
    public static double Score(double quality, double cost, double maxCost, double lambda) => quality - (lambda * Normalised(cost, maxCost));

    /// <summary>
    /// The index of the best score; ties go to the first, so with models in ordinal name order this picks
    /// what the ranker puts first (it breaks ties by name). A model whose quality is −∞ is not a candidate
    /// (a left-out model): it is never chosen and does not set the largest cost, as the ranker never sees it.
    /// </summary>
    public static int Choose(ReadOnlySpan<double> quality, ReadOnlySpan<double> cost, double lambda)
    {
        var max = 0.0;
        for (var m = 0; m < cost.Length; m++)
        {
            if (!double.IsNegativeInfinity(quality[m]))
            {
                max = Math.Max(max, cost[m]);
            }
        }

        var best = -1;
        var bestScore = double.NegativeInfinity;
        for (var m = 0; m < quality.Length; m++)
        {
            var s = Score(quality[m], cost[m], max, lambda);
            if (s > bestScore)
            {
                best = m;
                bestScore = s;
            }
        }

        return best;
    }
}
