using SemanticRouter.Index;

namespace SemanticRouter.Evaluation;

/// <summary>
/// The baselines' route votes from neighbours (1-NN, majority vote, semantic-router's mean per route), for
/// comparison; the served vote and the blend are <see cref="RouteHead.RouteHeadMath"/>.
/// </summary>
public static class RouteVoting
{
    /// <summary>Plain majority vote of the first k neighbours; ties go to the route with the nearer best neighbour.</summary>
    public static int MajorityVote(ReadOnlySpan<VectorHit> neighbors, ReadOnlySpan<int> rowRoute, int k)
    {
        var counts = new Dictionary<int, int>();
        var best = -1;
        var bestCount = 0;
        k = Math.Min(k, neighbors.Length);
        for (var i = 0; i < k; i++)
        {
            var r = rowRoute[neighbors[i].Id];
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
    public static (int Route, double Score) SemanticRouterMean(ReadOnlySpan<VectorHit> neighbors, ReadOnlySpan<int> rowRoute, int k = 5)
    {
        var sums = new Dictionary<int, (double Sum, int Count)>();
        k = Math.Min(k, neighbors.Length);
        for (var i = 0; i < k; i++)
        {
            var r = rowRoute[neighbors[i].Id];
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

    private static int FirstIndex(ReadOnlySpan<VectorHit> neighbors, ReadOnlySpan<int> rowRoute, int route, int k)
    {
        for (var i = 0; i < k; i++)
        {
            if (rowRoute[neighbors[i].Id] == route)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
