using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary>The cost–quality frontier as a PNG: each single model a labelled point, the zero router's hull, the router's curve and hull.</summary>
internal static class CostQualityPlot
{
    internal static void Write(string path, CostQualityReport report)
    {
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

    private static List<CostQualityPoint> Hull(IEnumerable<CostQualityPoint> points, double maxCost)
    {
        var hull = CostQualityFrontier.NonDecreasingHull(points).ToList();
        hull.Add(new CostQualityPoint(maxCost, hull[^1].Quality));
        return hull;
    }
}
