namespace SemanticRouter.Evaluation;

/// <summary>One operating point: mean cost per query (US dollars) and mean quality.</summary>
public readonly record struct CostQualityPoint(double Cost, double Quality);

/// <summary>
/// RouterBench's cost–quality metrics (Hu et al., 2024; their <c>AIQ.py</c>): the non-decreasing convex
/// hull of a router's (cost, quality) points, and AIQ, the area under it divided by the largest cost.
/// Mixing two operating points at random reaches any point on the segment between them, so the hull,
/// not the points, is what a router offers; past its best point more money buys nothing, so the hull
/// stays flat there up to the largest cost. The "zero router" is this hull over the single models.
/// </summary>
/// <remarks>
/// RouterBench evaluates its hull at the given points' costs (each point's quality raised to the chord
/// above it), keeps the cheapest point, drops every point lower than the one before, appends
/// (largest cost, last quality) and integrates by trapezoids from the cheapest point: that is the area
/// under the upper concave hull up to its highest point, plus a flat tail, which is computed here
/// directly. With the same largest cost for all routers compared (the <c>maxCost</c> argument), the
/// figures are comparable; the test reproduces RouterBench's zero-router figures on its data.
/// </remarks>
public static class CostQualityFrontier
{
    /// <summary>
    /// The upper concave hull of <paramref name="points"/> from the cheapest point (the highest of the
    /// cheapest, if several) up to its highest point (the cheapest of the highest): non-decreasing in
    /// both cost and quality.
    /// </summary>
    public static IReadOnlyList<CostQualityPoint> NonDecreasingHull(IEnumerable<CostQualityPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var sorted = points.Where(p => double.IsFinite(p.Cost) && double.IsFinite(p.Quality))
            .OrderBy(p => p.Cost).ThenByDescending(p => p.Quality).ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no finite points", nameof(points));
        }

        var hull = new List<CostQualityPoint>();
        foreach (var p in sorted)
        {
            if (hull.Count > 0 && p.Cost == hull[^1].Cost)
            {
                continue; // the higher point of this cost came first
            }

            // Pop while the last point is on or under the chord from the one before it to p.
            while (hull.Count >= 2 && Cross(hull[^2], hull[^1], p) >= 0)
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(p);
        }

        var peak = 0;
        for (var i = 1; i < hull.Count; i++)
        {
            if (hull[i].Quality > hull[peak].Quality)
            {
                peak = i;
            }
        }

        return hull.GetRange(0, peak + 1);
    }

    /// <summary>
    /// AIQ: the area under the non-decreasing hull from the cheapest point to <paramref name="maxCost"/>
    /// (flat past the hull's highest point), divided by <paramref name="maxCost"/>. Compare routers with the
    /// same <paramref name="maxCost"/>: RouterBench takes the largest cost of all the points compared.
    /// </summary>
    public static double Aiq(IEnumerable<CostQualityPoint> points, double maxCost)
    {
        var hull = NonDecreasingHull(points);
        if (!(maxCost > 0) || maxCost < hull[^1].Cost)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCost), maxCost, "the largest cost must be positive and at least the hull's last cost");
        }

        var area = 0.0;
        for (var i = 1; i < hull.Count; i++)
        {
            area += (hull[i].Cost - hull[i - 1].Cost) * (hull[i].Quality + hull[i - 1].Quality) / 2;
        }

        area += (maxCost - hull[^1].Cost) * hull[^1].Quality;
        return area / maxCost;
    }

    /// <summary>
    /// The quality the hull offers for a mean cost of at most <paramref name="budget"/> (interpolated
    /// between two operating points, as mixing them at random gets); NaN when even the cheapest point costs more.
    /// </summary>
    public static double QualityAt(IEnumerable<CostQualityPoint> points, double budget)
    {
        var hull = NonDecreasingHull(points);
        if (budget < hull[0].Cost)
        {
            return double.NaN;
        }

        for (var i = 1; i < hull.Count; i++)
        {
            if (budget <= hull[i].Cost)
            {
                var t = (budget - hull[i - 1].Cost) / (hull[i].Cost - hull[i - 1].Cost);
                return hull[i - 1].Quality + (t * (hull[i].Quality - hull[i - 1].Quality));
            }
        }

        return hull[^1].Quality;
    }

    /// <summary>The least mean cost at which the hull reaches <paramref name="quality"/>; NaN when it never does.</summary>
    public static double CostFor(IEnumerable<CostQualityPoint> points, double quality)
    {
        var hull = NonDecreasingHull(points);
        if (hull[0].Quality >= quality)
        {
            return hull[0].Cost;
        }

        for (var i = 1; i < hull.Count; i++)
        {
            if (hull[i].Quality >= quality)
            {
                var t = (quality - hull[i - 1].Quality) / (hull[i].Quality - hull[i - 1].Quality);
                return hull[i - 1].Cost + (t * (hull[i].Cost - hull[i - 1].Cost));
            }
        }

        return double.NaN;
    }

    /// <summary>(b − a) × (c − a): ≥ 0 when b is on or under the line from a to c.</summary>
    private static double Cross(CostQualityPoint a, CostQualityPoint b, CostQualityPoint c) =>
        ((b.Cost - a.Cost) * (c.Quality - a.Quality)) - ((b.Quality - a.Quality) * (c.Cost - a.Cost));
}
