using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary>Quality versus strong-model calls (RouteLLM's plot) as a PNG.</summary>
internal static class OutcomePlot
{
    internal static void Write(string path, OutcomeEvaluationResult result, OutcomeDataset data)
    {
        var plot = new ScottPlot.Plot();
        void Line(RouteLlmMetrics m, string label)
        {
            var s = plot.Add.Scatter(m.Curve.Select(p => p.StrongShare * 100).ToArray(), m.Curve.Select(p => p.Quality * 100).ToArray());
            s.LegendText = label;
        }

        Line(result.Router, $"ours (APGR {result.Router.Apgr:F3})");
        Line(result.KnnOnly, $"kNN only (APGR {result.KnnOnly.Apgr:F3})");
        Line(result.Random, $"random (APGR {result.Random.Apgr:F3})");
        var weak = plot.Add.HorizontalLine(result.Router.WeakQuality * 100);
        weak.LegendText = data.WeakModel;
        weak.LinePattern = ScottPlot.LinePattern.Dashed;
        var strong = plot.Add.HorizontalLine(result.Router.StrongQuality * 100);
        strong.LegendText = data.StrongModel;
        strong.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.XLabel("Strong model calls (%)");
        plot.YLabel("Accuracy (%)");
        plot.Title($"Quality vs strong calls ({data.Prompts.Count} prompts, 5-fold CV)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }
}
