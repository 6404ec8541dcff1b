using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>Aggregated counts of one (route, model) pair, for reports.</summary>
public readonly record struct RouteModelCounts(string Route, string Model, SuccessCounts Counts);

/// <summary>
/// In-memory aggregate of credited outcomes: counts per utterance key × model and per route × model.
/// Thread-safe: <see cref="Apply"/> adds all credits of one outcome under one short lock, so a reader
/// sees an outcome either wholly or not at all; reads take the same lock briefly and never do I/O.
/// </summary>
public sealed class OutcomeStatistics : IOutcomeStatistics
{
    private readonly Lock _gate = new();
    private Dictionary<(ulong Key, string Model), SuccessCounts> _utterances = [];
    private Dictionary<(string Route, string Model), SuccessCounts> _routes = [];

    public SuccessCounts ForUtterance(UtteranceKey utterance, string model)
    {
        lock (_gate)
        {
            return _utterances.GetValueOrDefault((utterance.Value, model));
        }
    }

    public SuccessCounts ForRoute(string route, string model)
    {
        lock (_gate)
        {
            return _routes.GetValueOrDefault((route, model));
        }
    }

    /// <summary>Number of (utterance, model) pairs with counts.</summary>
    public int UtterancePairs
    {
        get
        {
            lock (_gate)
            {
                return _utterances.Count;
            }
        }
    }

    /// <summary>
    /// Adds one outcome: (score·w, w) to every credited utterance and route for <paramref name="model"/>,
    /// and (cost·w, w) to their cost when the outcome carried the call's cost.
    /// </summary>
    public void Apply(string model, double score, OutcomeCredits credits, double? costUsd = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(credits);
        lock (_gate)
        {
            foreach (var c in credits.Utterances)
            {
                ref var counts = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_utterances, (c.Key.Value, model), out _);
                counts = counts.Add(score, c.Weight, costUsd);
            }

            foreach (var c in credits.Routes)
            {
                ref var counts = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_routes, (c.Route, model), out _);
                counts = counts.Add(score, c.Weight, costUsd);
            }
        }
    }

    /// <summary>Sets counts directly (loading from the aggregate tables).</summary>
    internal void SetUtterance(ulong key, string model, SuccessCounts counts)
    {
        lock (_gate)
        {
            _utterances[(key, model)] = counts;
        }
    }

    internal void SetRoute(string route, string model, SuccessCounts counts)
    {
        lock (_gate)
        {
            _routes[(route, model)] = counts;
        }
    }

    /// <summary>Takes over <paramref name="fresh"/>'s counts in one step (readers see the old or the new set, never a mix).</summary>
    internal void ReplaceWith(OutcomeStatistics fresh)
    {
        lock (_gate)
        {
            _utterances = fresh._utterances;
            _routes = fresh._routes;
        }
    }

    internal List<(ulong Key, string Model, SuccessCounts Counts)> UtteranceCounts()
    {
        lock (_gate)
        {
            return [.. _utterances.Select(p => (p.Key.Key, p.Key.Model, p.Value))];
        }
    }

    /// <summary>A snapshot of every route × model count, sorted by route then model.</summary>
    public IReadOnlyList<RouteModelCounts> RouteCounts()
    {
        lock (_gate)
        {
            return [.. _routes
                .Select(p => new RouteModelCounts(p.Key.Route, p.Key.Model, p.Value))
                .OrderBy(c => c.Route, StringComparer.Ordinal).ThenBy(c => c.Model, StringComparer.Ordinal)];
        }
    }
}
