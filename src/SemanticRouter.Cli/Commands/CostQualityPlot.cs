using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary>The cost–quality frontier as a PNG: each single model a labelled point, the zero router's hull, the router's curve and hull
/// (for tables without costs, each model's quality, the router's and the oracle's as bars).</summary>
internal static class CostQualityPlot
{
    internal static void Write(string path, CostQualityReport report)
    {
        if (report.FlatCost)
        {
            WriteQualityOnly(path, report);
            return;
        }

        var plot = new ScottPlot.Plot();
        foreach (var m in report.Models)
        {
            var point = plot.Add.Marker(m.Cost * 1000, m.Quality * 100);
            point.Size = 8;
            var label = plot.Add.Text(m.Model, m.Cost * 1000, m.Quality * 100);
            label.LabelFontSize = 10;
        }

        var zero = Hull(report.Models.Select(m => new CostQualityPoint(m.Cost, m.Quality)), report.MaxCost);
        var z = plot.Add.Scatter(zero.Select(p => p.Cost * 1000).ToArray(), zero.Select(p => p.Quality * 100).ToArray());
        z.LegendText = $"zero router (AIQ {report.ZeroRouterAiq:F3})";
        z.LinePattern = ScottPlot.LinePattern.Dashed;
        var curve = plot.Add.Scatter(report.Curve.Select(p => p.Cost * 1000).ToArray(), report.Curve.Select(p => p.Quality * 100).ToArray());
        curve.LegendText = "router, λ moving";
        curve.LineWidth = 0;
        var hull = Hull(report.Curve.Select(p => new CostQualityPoint(p.Cost, p.Quality)), report.MaxCost);
        var h = plot.Add.Scatter(hull.Select(p => p.Cost * 1000).ToArray(), hull.Select(p => p.Quality * 100).ToArray());
        h.LegendText = $"router hull (AIQ {report.Aiq:F3})";
        plot.Axes.SetLimitsX(0, report.MaxCost * 1000 * 1.05);
        plot.XLabel("Mean cost per query (m$)");
        plot.YLabel("Quality (%)");
        plot.Title($"Cost vs quality ({report.TestPrompts} test prompts)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 1000, 650);
    }

    /// <summary>Tables without costs have no frontier to draw: each model's quality as a bar, then the router's and the oracle's.</summary>
    private static void WriteQualityOnly(string path, CostQualityReport report)
    {
        var plot = new ScottPlot.Plot();
        var bars = report.Models.OrderByDescending(m => m.Quality).Select(m => (Name: m.Model, m.Quality, Color: ScottPlot.Colors.Gray))
            .Append((Name: "router", Quality: report.Top1Quality, Color: ScottPlot.Colors.SteelBlue))
            .Append((Name: "oracle", Quality: report.Oracle.Quality, Color: ScottPlot.Colors.LightGray))
            .ToList();
        var ticks = new List<ScottPlot.Tick>();
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = plot.Add.Bar(i, bars[i].Quality * 100);
            bar.Color = bars[i].Color;
            ticks.Add(new ScottPlot.Tick(i, bars[i].Name));
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("Quality (%)");
        plot.Title($"Quality per model and the router's first model ({report.TestPrompts} test prompts, no costs)");
        plot.SavePng(path, 1000, 650);
    }

    private static List<CostQualityPoint> Hull(IEnumerable<CostQualityPoint> points, double maxCost)
    {
        var hull = CostQualityFrontier.NonDecreasingHull(points).ToList();
        hull.Add(new CostQualityPoint(maxCost, hull[^1].Quality));
        return hull;
    }
}
