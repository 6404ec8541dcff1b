using System.Globalization;
using SemanticRouter.Insight;

namespace SemanticRouter.Engine;

/// <summary>The engine as <see cref="IRouterInsight"/>: what it serves and what it did lately, from memory.</summary>
public sealed partial class RouterEngine : IRouterInsight
{
    private readonly RecentActivityLog _recent = new();

    IndexDescription IRouterInsight.DescribeIndex()
    {
        // One snapshot: every figure belongs to the same index even during a reload.
        var snapshot = Volatile.Read(ref _snapshot);
        var manifest = snapshot.Artifact.Manifest;
        var options = snapshot.Settings.Options;
        string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
        var settings = new List<KeyValuePair<string, string>>
        {
            new("k", options.K.ToString(CultureInfo.InvariantCulture)),
            new("temperature", Number(options.Temperature)),
            new("utterance_smoothing", Number(options.UtteranceSmoothingStrength)),
            new("route_smoothing", Number(options.RouteSmoothingStrength)),
            new("cost_weight", Number(options.CostWeight)),
            new("default_threshold", Number(options.DefaultThreshold)),
            new("fallback_route", options.FallbackRoute ?? "(none)"),
            new("route_head_weight", Number(options.RouteHeadWeight)),
            new("conversation_decay", Number(options.ConversationDecay)),
            new("text_model_weight", Number(options.TextModelWeight)),
            new("settings_source", snapshot.Settings.SettingsSource ?? "(defaults)"),
        };
        var hnsw = manifest.Hnsw;
        return new IndexDescription(
            snapshot.Version,
            manifest.CreatedUtc,
            manifest.Model.Name,
            manifest.Model.Fingerprint,
            manifest.Model.Dimensions,
            snapshot.Catalog.Routes.Count,
            snapshot.Catalog.Models.Models.Count,
            snapshot.UtteranceCount,
            _outcomes.Count,
            new HnswDescription(hnsw.M, hnsw.EfConstruction, _options.EfSearch > 0 ? _options.EfSearch : hnsw.EfSearch, hnsw.Seed),
            settings,
            snapshot.Settings.RouteHead.ToString(),
            IndexRankingSettingsChanged);
    }

    IReadOnlyList<string> IRouterInsight.Utterances(string route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Volatile.Read(ref _snapshot).Catalog.TryGetRoute(route, out var found)
            ? found.Utterances
            : throw new RouterException(RouterErrorCode.NotFound, "no such route.");
    }

    IReadOnlyList<RouteModelStatistics> IRouterInsight.RouteStatistics()
    {
        var snapshot = Volatile.Read(ref _snapshot);
        double strength = snapshot.Settings.Options.RouteSmoothingStrength;
        var list = new List<RouteModelStatistics>();
        foreach (var route in snapshot.Catalog.Routes)
        {
            foreach (var target in route.Targets)
            {
                var counts = _outcomes.ForRoute(route.Name, target.Model);
                list.Add(new RouteModelStatistics(route.Name, target.Model, target.Prior, counts.Successes, counts.Trials, counts.Smoothed(target.Prior, strength)));
            }
        }

        return list;
    }

    RecentActivity IRouterInsight.Recent() => _recent.Snapshot();
}
