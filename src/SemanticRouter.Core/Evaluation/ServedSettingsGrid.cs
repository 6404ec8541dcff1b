using System.Globalization;
using SemanticRouter.Ranking;

namespace SemanticRouter.Evaluation;

/// <summary>The settings an inner split chooses among: every combination is tried.</summary>
public sealed record ServedSettingsGrid(IReadOnlyList<int> K, IReadOnlyList<double> Temperature, IReadOnlyList<double> UtteranceSmoothing, IReadOnlyList<double> TextModelWeight)
{
    /// <summary>Around docs/ranking.md's advice for outcome routing (k ≥ 50, τ 0.1–0.2) and the defaults.</summary>
    public static ServedSettingsGrid Default { get; } = new([25, 50, 100, 200], [0.05, 0.1, 0.2, 0.5], [1, 4, 10], [0, 0.2, 0.35, 0.5]);

    /// <summary>
    /// The grid of <c>eval --outcomes</c>: the lists the default grid's inner splits chose on MMLU, with
    /// the route head's weight α added (54 points, the default grid's cost with three values of α).
    /// Adopted under a rule fixed before its runs (docs/evaluation.md). <c>fit --outcomes</c> keeps
    /// <see cref="Default"/>, without α: a served α needs an index with a route head.
    /// </summary>
    public static ServedSettingsGrid Evaluation { get; } = new([50, 100, 200], [0.2, 0.5, 1], [1, 4], [0.2]) { RouteHeadWeight = [0, 0.5, 1] };

    /// <summary>
    /// α, the weight of a route classifier's posterior in the route vote. Default 0 only (no classifier):
    /// a served α needs a route head in the index, and each value multiplies the grid's cost.
    /// </summary>
    public IReadOnlyList<double> RouteHeadWeight { get; init; } = [0];

    /// <summary>Combinations tried per inner split.</summary>
    public int Points => K.Count * Temperature.Count * UtteranceSmoothing.Count * TextModelWeight.Count * RouteHeadWeight.Count;

    /// <summary>Whether some point ranks with a route classifier (α &gt; 0), so one must be trained per split.</summary>
    public bool UsesRouteHead => RouteHeadWeight.Any(a => a > 0);

    /// <summary>
    /// <paramref name="baseGrid"/> with the lists <paramref name="spec"/> gives replaced, e.g.
    /// <c>k=100,200,400;temperature=0.2,0.5,1</c>; keys as in a ranking options file (<c>k</c>,
    /// <c>temperature</c>, <c>utterance_smoothing</c>, <c>text_model_weight</c>, <c>route_head_weight</c>).
    /// </summary>
    /// <exception cref="FormatException">An unknown key, a value that is not a number or out of range; the message names it.</exception>
    public static ServedSettingsGrid Parse(string spec, ServedSettingsGrid baseGrid)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(baseGrid);
        var grid = baseGrid;
        var probe = new RankingOptions(); // its setters hold the ranges
        foreach (var part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"'{part}' is not KEY=V1,V2,… (keys: k, temperature, utterance_smoothing, text_model_weight, route_head_weight)");
            }

            var key = part[..eq].Trim();
            var values = part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (values.Length == 0)
            {
                throw new FormatException($"{key}: no values");
            }

            grid = key switch
            {
                "k" => grid with { K = [.. values.Select(v => Checked(key, v, x => probe.K = (int)x, integer: true)).Select(x => (int)x).Distinct().Order()] },
                "temperature" => grid with { Temperature = Values(key, values, x => probe.Temperature = x) },
                "utterance_smoothing" => grid with { UtteranceSmoothing = Values(key, values, x => probe.UtteranceSmoothingStrength = x) },
                "text_model_weight" => grid with { TextModelWeight = Values(key, values, x => probe.TextModelWeight = x) },
                "route_head_weight" => grid with { RouteHeadWeight = Values(key, values, x => probe.RouteHeadWeight = x) },
                _ => throw new FormatException($"unknown key '{key}' (keys: k, temperature, utterance_smoothing, text_model_weight, route_head_weight)"),
            };
        }

        return grid;
    }

    /// <summary>
    /// The settings of <paramref name="chosen"/> (a grid point, k unscaled) at the largest or smallest
    /// value of a list with more than one, e.g. "k 200 (the largest tried)": the best may lie beyond.
    /// </summary>
    public IReadOnlyList<string> AtEdge(RankingOptions chosen)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        var edges = new List<string>();
        Edge("k", K.Select(x => (double)x).ToList(), chosen.K);
        Edge("temperature", Temperature, chosen.Temperature);
        Edge("utterance_smoothing", UtteranceSmoothing, chosen.UtteranceSmoothingStrength);
        // λ_t = 0 is "off", a real choice rather than an edge to widen past.
        if (chosen.TextModelWeight > 0)
        {
            Edge("text_model_weight", TextModelWeight, chosen.TextModelWeight);
        }

        // α's range is [0, 1]: only an end of the list inside it is an edge to widen past.
        if (RouteHeadWeight.Count > 1 && ((chosen.RouteHeadWeight >= RouteHeadWeight.Max() && chosen.RouteHeadWeight < 1) || (chosen.RouteHeadWeight <= RouteHeadWeight.Min() && chosen.RouteHeadWeight > 0)))
        {
            Edge("route_head_weight", RouteHeadWeight, chosen.RouteHeadWeight);
        }

        return edges;

        void Edge(string name, IReadOnlyList<double> values, double value)
        {
            if (values.Count < 2)
            {
                return;
            }

            if (value >= values.Max())
            {
                edges.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value} (the largest tried)"));
            }
            else if (value <= values.Min())
            {
                edges.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value} (the smallest tried)"));
            }
        }
    }

    private static List<double> Values(string key, string[] values, Action<double> check) =>
        [.. values.Select(v => Checked(key, v, check, integer: false)).Distinct().Order()];

    private static double Checked(string key, string text, Action<double> check, bool integer)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || (integer && value != Math.Floor(value)))
        {
            throw new FormatException($"{key}: '{text}' is not {(integer ? "a whole number" : "a number")}");
        }

        try
        {
            check(value);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"{key} {text}: {ErrorMessage.Of(e)}", e);
        }

        return value;
    }
}
