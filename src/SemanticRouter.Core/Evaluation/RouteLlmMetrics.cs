namespace SemanticRouter.Evaluation;

/// <summary>One point of the quality-versus-strong-calls curve.</summary>
public readonly record struct RoutingPoint(double Threshold, double StrongShare, double Quality);

/// <summary>
/// RouteLLM's router metrics (lm-sys/RouteLLM, routellm/evals/benchmarks.py and evaluate.py):
/// thresholds are the bin edges of <c>pd.qcut(scores, points)</c> (score quantiles 0, 1/points, …, 1);
/// at edge i a prompt goes to the strong model when score ≥ edge (score &gt; edge at the last edge,
/// so the curve reaches 0 % strong calls); quality = mean correctness of the chosen model.
/// APGR = (AUC − weak·span)/(strong·span − weak·span) with trapezoidal AUC over the strong-call
/// share; CPT(x) = the strong-call share interpolated where quality reaches weak + x·(strong − weak)
/// (RouteLLM's <c>np.interp</c>; here the first crossing, identical for a monotone curve).
/// </summary>
public sealed record RouteLlmMetrics(
    double WeakQuality,
    double StrongQuality,
    double Apgr,
    double Cpt20,
    double Cpt50,
    double Cpt80,
    IReadOnlyList<RoutingPoint> Curve)
{
    /// <summary>
    /// <paramref name="scores"/>: per prompt, higher = more reason to call the strong model.
    /// <paramref name="weakCorrect"/>/<paramref name="strongCorrect"/>: observed outcomes (1 = correct; fractions allowed).
    /// </summary>
    public static RouteLlmMetrics Compute(IReadOnlyList<double> scores, IReadOnlyList<double> weakCorrect, IReadOnlyList<double> strongCorrect, int points = 10)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(weakCorrect);
        ArgumentNullException.ThrowIfNull(strongCorrect);
        var n = scores.Count;
        if (n == 0 || weakCorrect.Count != n || strongCorrect.Count != n)
        {
            throw new ArgumentException("scores and outcomes must be non-empty and of equal length");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        var weak = weakCorrect.Average();
        var strong = strongCorrect.Average();
        var sorted = scores.Order().ToArray();
        var curve = new List<RoutingPoint>(points + 1);
        for (var i = 0; i <= points; i++)
        {
            var edge = Quantile(sorted, (double)i / points);
            var last = i == points;
            double quality = 0;
            var strongCalls = 0;
            for (var j = 0; j < n; j++)
            {
                var toStrong = last ? scores[j] > edge : scores[j] >= edge;
                if (toStrong)
                {
                    strongCalls++;
                    quality += strongCorrect[j];
                }
                else
                {
                    quality += weakCorrect[j];
                }
            }

            curve.Add(new RoutingPoint(edge, (double)strongCalls / n, quality / n));
        }

        curve.Sort((a, b) => a.StrongShare != b.StrongShare ? a.StrongShare.CompareTo(b.StrongShare) : a.Quality.CompareTo(b.Quality));
        double auc = 0;
        for (var i = 1; i < curve.Count; i++)
        {
            auc += (curve[i].StrongShare - curve[i - 1].StrongShare) * (curve[i].Quality + curve[i - 1].Quality) / 2;
        }

        var span = curve[^1].StrongShare - curve[0].StrongShare;
        var apgr = strong == weak || span == 0 ? double.NaN : (auc - (weak * span)) / ((strong - weak) * span);
        return new RouteLlmMetrics(weak, strong, apgr, Cpt(curve, weak, strong, 0.2), Cpt(curve, weak, strong, 0.5), Cpt(curve, weak, strong, 0.8), curve);
    }

    /// <summary>pandas/numpy linear quantile of sorted values.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((position - lo) * (sorted[hi] - sorted[lo]));
    }

    private static double Cpt(List<RoutingPoint> curve, double weak, double strong, double fraction)
    {
        var target = weak + (fraction * (strong - weak));
        if (curve[0].Quality >= target)
        {
            return curve[0].StrongShare;
        }

        for (var i = 1; i < curve.Count; i++)
        {
            if (curve[i].Quality >= target)
            {
                var a = curve[i - 1];
                var b = curve[i];
                return b.Quality == a.Quality ? b.StrongShare : a.StrongShare + ((target - a.Quality) / (b.Quality - a.Quality) * (b.StrongShare - a.StrongShare));
            }
        }

        return double.NaN;
    }
}
