namespace SemanticRouter.Evaluation;

/// <summary>A pair of routes the classifier confused: <c>Count</c> test items of <c>Expected</c> predicted as <c>Predicted</c>.</summary>
public sealed record ConfusedPair(string Expected, string Predicted, int Count);

/// <summary>
/// Intent-routing quality on a labelled test set whose out-of-scope items have a null route.
/// <list type="bullet">
/// <item><see cref="Accuracy"/>: in-scope items predicted correctly / in-scope items (an abstention counts as wrong).</item>
/// <item><see cref="AccuracyNoAbstain"/>: the same with abstention switched off (the best route is always taken).</item>
/// <item><see cref="OosPrecision"/>/<see cref="OosRecall"/>: abstentions that were out-of-scope / out-of-scope items that were abstained on (NaN without abstentions / without out-of-scope items).</item>
/// <item><see cref="MacroF1"/>: unweighted mean over the in-scope routes seen in the test set of per-route F1 (abstentions count as misses).</item>
/// </list>
/// </summary>
public sealed record ClassificationReport(
    double Accuracy,
    double AccuracyNoAbstain,
    double OosPrecision,
    double OosRecall,
    double MacroF1,
    int N,
    int InScope,
    int OutOfScope,
    IReadOnlyList<ConfusedPair> MostConfused)
{
    /// <summary>
    /// Computes the report. <paramref name="expected"/>: gold route or null (out-of-scope);
    /// <paramref name="predicted"/>: route or null (abstained); <paramref name="predictedNoAbstain"/>:
    /// the best route ignoring abstention (defaults to <paramref name="predicted"/>).
    /// </summary>
    public static ClassificationReport Compute(
        IReadOnlyList<string?> expected,
        IReadOnlyList<string?> predicted,
        IReadOnlyList<string?>? predictedNoAbstain = null,
        int confusedPairs = 10)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(predicted);
        predictedNoAbstain ??= predicted;
        if (expected.Count != predicted.Count || expected.Count != predictedNoAbstain.Count)
        {
            throw new ArgumentException("expected and predicted differ in length");
        }

        int inScope = 0, correct = 0, correctNoAbstain = 0, oos = 0, abstained = 0, abstainedOnOos = 0;
        var tp = new Dictionary<string, int>(StringComparer.Ordinal);
        var fp = new Dictionary<string, int>(StringComparer.Ordinal);
        var fn = new Dictionary<string, int>(StringComparer.Ordinal);
        var confused = new Dictionary<(string, string), int>();
        for (var i = 0; i < expected.Count; i++)
        {
            var gold = expected[i];
            var p = predicted[i];
            if (p is null)
            {
                abstained++;
            }

            if (gold is null)
            {
                oos++;
                if (p is null)
                {
                    abstainedOnOos++;
                }
                else
                {
                    Bump(fp, p);
                }

                continue;
            }

            inScope++;
            tp.TryAdd(gold, 0);
            if (string.Equals(gold, predictedNoAbstain[i], StringComparison.Ordinal))
            {
                correctNoAbstain++;
            }

            if (string.Equals(gold, p, StringComparison.Ordinal))
            {
                correct++;
                Bump(tp, gold);
            }
            else
            {
                Bump(fn, gold);
                if (p is not null)
                {
                    Bump(fp, p);
                    confused[(gold, p)] = confused.GetValueOrDefault((gold, p)) + 1;
                }
            }
        }

        double f1Sum = 0;
        foreach (var route in tp.Keys)
        {
            var t = tp[route];
            var denominator = (2 * t) + fp.GetValueOrDefault(route) + fn.GetValueOrDefault(route);
            f1Sum += denominator == 0 ? 0 : 2.0 * t / denominator;
        }

        var pairs = confused
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
            .ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
            .Take(confusedPairs)
            .Select(kv => new ConfusedPair(kv.Key.Item1, kv.Key.Item2, kv.Value))
            .ToList();
        return new ClassificationReport(
            inScope == 0 ? double.NaN : (double)correct / inScope,
            inScope == 0 ? double.NaN : (double)correctNoAbstain / inScope,
            abstained == 0 ? double.NaN : (double)abstainedOnOos / abstained,
            oos == 0 ? double.NaN : (double)abstainedOnOos / oos,
            tp.Count == 0 ? double.NaN : f1Sum / tp.Count,
            expected.Count,
            inScope,
            oos,
            pairs);
    }

    private static void Bump(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
