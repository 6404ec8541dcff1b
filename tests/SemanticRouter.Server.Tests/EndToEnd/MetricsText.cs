using System.Globalization;
using System.Text.RegularExpressions;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>Reading the Prometheus text /metrics serves.</summary>
internal static class MetricsText
{
    /// <summary>The sum of a counter's samples: every label set, or those whose labels contain each of <paramref name="labels"/>.</summary>
    public static double Sum(string metrics, string counter, params string[] labels) =>
        Regex.Matches(metrics, $@"^{counter}\{{(?<labels>[^}}]*)\}} (?<value>\S+)$", RegexOptions.Multiline)
            .Where(m => labels.All(label => m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
}
