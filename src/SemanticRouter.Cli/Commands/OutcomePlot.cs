using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary>Quality versus strong-model calls (RouteLLM's plot) as a PNG.</summary>
internal static class OutcomePlot
{
    /// <summary>One curve per router, labelled with its APGR; the first router's weak and strong accuracies as dashed lines.</summary>
    internal static void Write(string path, IReadOnlyList<(string Label, RouteLlmMetrics Metrics)> routers, OutcomeDataset data, int folds)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (label, m) in routers)
        {
            var s = plot.Add.Scatter(m.Curve.Select(p => p.StrongShare * 100).ToArray(), m.Curve.Select(p => p.Quality * 100).ToArray());
            s.LegendText = $"{label} (APGR {m.Apgr:F3})";
        }

        var first = routers[0].Metrics;
        var weak = plot.Add.HorizontalLine(first.WeakQuality * 100);
        weak.LegendText = data.WeakModel;
        weak.LinePattern = ScottPlot.LinePattern.Dashed;
        var strong = plot.Add.HorizontalLine(first.StrongQuality * 100);
        strong.LegendText = data.StrongModel;
        strong.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.XLabel("Strong model calls (%)");
        plot.YLabel("Accuracy (%)");
        plot.Title($"Quality vs strong calls ({data.Prompts.Count} prompts, {folds}-fold CV)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }
}
