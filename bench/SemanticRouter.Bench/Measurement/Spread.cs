using System.Globalization;
using System.Text.Json.Nodes;

namespace SemanticRouter.Bench.Measurement;

/// <summary>Repeated measures of one quantity: median and range, never a single run or the best one.</summary>
internal sealed record Spread(double Median, double Min, double Max, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Where(double.IsFinite).Order()];
        if (sorted.Length == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, 0);
        }

        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[^1], n);
    }

    /// <summary>"median (min–max)" in <paramref name="format"/>.</summary>
    public string Format(string format) =>
        Count == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})");

    public JsonObject ToJson() => new()
    {
        ["median"] = Finite(Median),
        ["min"] = Finite(Min),
        ["max"] = Finite(Max),
        ["n"] = Count,
    };

    private static JsonValue? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
