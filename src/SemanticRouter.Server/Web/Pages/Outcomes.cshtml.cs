using Microsoft.AspNetCore.Mvc.RazorPages;
using SemanticRouter.Insight;

namespace SemanticRouter.Server.Web.Pages;

/// <summary>
/// What the router learned and did: per route × model success (<see cref="IRouterInsight.RouteStatistics"/>), the
/// most recent rankings and outcomes (<see cref="IRouterInsight.Recent"/>), and those outcomes over time as a chart
/// drawn on the server (SVG: no script).
/// </summary>
internal sealed class OutcomesModel(IServiceProvider services) : PageModel
{
    /// <summary>Recent rankings and outcomes listed (the chart uses all the router keeps).</summary>
    public const int Listed = 50;

    /// <summary>Bars of the chart.</summary>
    public const int Buckets = 24;

    public IReadOnlyList<RouteModelStatistics>? Statistics { get; private set; }

    public RecentActivity? Recent { get; private set; }

    /// <summary>The chart's bars, oldest first: successes (score ≥ 0.5) and failures in each equal span of time.</summary>
    public IReadOnlyList<(DateTimeOffset Start, int Successes, int Failures)> Chart { get; private set; } = [];

    public void OnGet()
    {
        if (services.GetService(typeof(IRouterInsight)) is not IRouterInsight insight)
        {
            return;
        }

        Statistics = insight.RouteStatistics();
        Recent = insight.Recent();
        var outcomes = Recent.Outcomes;
        if (outcomes.Count == 0)
        {
            return;
        }

        var first = outcomes.Min(o => o.Time);
        var last = outcomes.Max(o => o.Time);
        var span = Math.Max(1, (last - first).Ticks);
        var bars = new (int Successes, int Failures)[Buckets];
        foreach (var o in outcomes)
        {
            int i = (int)Math.Min(Buckets - 1, (o.Time - first).Ticks * Buckets / span);
            bars[i] = o.Score >= 0.5 ? (bars[i].Successes + 1, bars[i].Failures) : (bars[i].Successes, bars[i].Failures + 1);
        }

        Chart = [.. bars.Select((b, i) => (first + TimeSpan.FromTicks(span * i / Buckets), b.Successes, b.Failures))];
    }
}
