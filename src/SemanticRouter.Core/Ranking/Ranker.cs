using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Ranking;

/// <summary>
/// Success-weighted kNN ranking (docs/ranking.md). Pure and thread-safe: any number of concurrent
/// <see cref="Rank"/> calls may share one instance; outcome statistics come with each request.
/// </summary>
/// <remarks>
/// <para>Weights w_i = exp((s_i − s_max)/τ) over the first k neighbours. Route posterior P(r|q): the neighbours'
/// vote P_knn(r) = Σ_{i∈r} w_i / Σ_i w_i, or what the request's <see cref="RankerInput.RoutePosterior"/> makes of
/// it (a route head's blend, computed by the route head, not here).</para>
/// <para>Success estimates, smoothed hierarchically: p̂_r(m) = (S_r + β_r·prior_r(m)) / (N_r + β_r) and
/// p̂_i(m) = (S_i + β_u·p̂_r(m)) / (N_i + β_u) for utterance i of route r.</para>
/// <para>Quality(m) = Σ_r P(r|q)·Q_r(m) with Q_r(m) = Σ_{i∈r} w_i p̂_i(m) / Σ_{i∈r} w_i (p̂_r(m) when no
/// neighbour of r voted) and Q_r(m) = 0 when r does not target m. Score = Quality − λ·cost(m)/max cost
/// (<see cref="CostTerm"/>), cost(m) the query's expected cost (<see cref="RankerInput.ExpectedCosts"/>) or the catalogue's.
/// With α = 0 this is exactly knn-router's Σ_i w_i q_{i,m} / Σ_i w_i.</para>
/// <para>Where the request carries the quality head's estimate h(m), Quality = (1 − β)·Quality + β·h(m), clamped to [0, 1].</para>
/// <para>Where the request carries the text outcome model's P̂_text(m), Quality = (1 − λ_t)·Quality + λ_t·P̂_text(m).</para>
/// <para>cost(m): the caller's expected costs, else the neighbours' observed costs for this query (their weighted
/// mean, as outcomes are weighed), else the catalogue's (<see cref="ObservedCosts"/>).</para>
/// </remarks>
public sealed class Ranker
{
    private readonly RoutingTable _table;

    public Ranker(RoutingTable table, RankingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        Options = (options ?? RankingOptions.Default).Clone();
        if (Options.FallbackRoute is { } fallback && !table.ContainsRoute(fallback))
        {
            throw new ArgumentException($"Fallback route '{fallback}' is not a route of the routing table.", nameof(options));
        }
    }

    /// <summary>A private copy of the options this ranker was built with.</summary>
    public RankingOptions Options { get; }

    public RoutingTable Table => _table;

    public RankingResult Rank(RankerInput request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Neighbors);
        if (request.K is { } k && k is < 1 or > RankingOptions.MaxK)
        {
            throw new ArgumentOutOfRangeException(nameof(request), k, $"K must be in [1, {RankingOptions.MaxK}].");
        }

        var lambda = request.CostWeight ?? Options.CostWeight;
        if (!(lambda >= 0) || !double.IsFinite(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(request), lambda, "CostWeight must be non-negative and finite.");
        }

        var candidates = ResolveCandidates(request);
        var neighbors = Weigh(request.Neighbors, request.K ?? Options.K, Options.Temperature);
        var posterior = Posterior(neighbors, request.RoutePosterior);
        var routes = posterior.Select(p => new RouteMatch(p.Key, p.Value))
            .OrderByDescending(m => m.Confidence).ThenBy(m => m.Route, StringComparer.Ordinal).ToArray();
        RouteMatch? match = routes.Length > 0 ? routes[0] : null;

        var top = neighbors.Count > 0 ? neighbors[0].Neighbor.Similarity : double.NaN;
        var threshold = (match is { } m0 ? _table.ThresholdOf(m0.Route) : null) ?? Options.DefaultThreshold;
        var abstained = request.Abstain ?? !(top >= threshold); // no neighbour (NaN) abstains too
        var fallback = abstained ? Options.FallbackRoute : null;

        var stats = request.Statistics ?? NoOutcomes.Instance;
        var costs = Costs(candidates, request.ExpectedCosts ?? ObservedCosts(candidates, neighbors, posterior, fallback, stats), out var perCall);
        var maxCost = costs.Length == 0 ? 0 : costs.Max();
        var textWeight = Options.TextModelWeight;
        var ranked = new RankedModel[candidates.Count];
        for (var c = 0; c < candidates.Count; c++)
        {
            var model = candidates[c];
            var support = fallback is not null
                ? FallbackSupport(fallback, model, stats)
                : Support(model, posterior, neighbors, stats);
            var quality = support.Sum(s => s.Contribution);

            // The quality head, like the text model, speaks only for models the matched routes target.
            var headWeight = Options.QualityHeadWeight;
            if (fallback is null && support.Length > 0 && headWeight > 0 && request.HeadEstimates?.TryGetValue(model, out var h) == true && double.IsFinite(h))
            {
                quality = ((1 - headWeight) * quality) + (headWeight * h);
            }

            quality = Math.Clamp(quality, 0, 1);

            // The text model speaks only for models the matched routes target, and not for a fallback.
            double? text = null;
            if (fallback is null && support.Length > 0 && textWeight > 0 && request.TextEstimates?.TryGetValue(model, out var t) == true && t is >= 0 and <= 1)
            {
                text = t;
                quality = ((1 - textWeight) * quality) + (textWeight * t);
            }

            var cost = CostTerm.Normalised(costs[c], maxCost);
            ranked[c] = new RankedModel(model, CostTerm.Score(quality, costs[c], maxCost, lambda), quality, cost, support)
            {
                TextEstimate = text,
                ExpectedCost = perCall ? costs[c] : null,
            };
        }

        Array.Sort(ranked, static (a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(a.Model, b.Model);
        });

        return new RankingResult
        {
            Models = ranked,
            Match = match,
            Routes = routes,
            IsAbstained = abstained,
            FallbackRoute = fallback,
            TopSimilarity = top,
            Threshold = threshold,
            Neighbors = neighbors,
        };
    }

    /// <summary>
    /// Per candidate, the expected cost of its call for this query from observed costs: the voting
    /// neighbours' weighted mean cost (w_i, as their outcomes are weighed), else the matched routes' mean
    /// (weighted by P(r|q); the fallback route's when abstained). Null when some candidate has no observed
    /// cost at all: then every candidate is costed from the catalogue, so one currency is compared.
    /// </summary>
    private static Dictionary<string, double>? ObservedCosts(
        List<string> candidates, IReadOnlyList<WeightedNeighbor> neighbors, IReadOnlyDictionary<string, double> posterior, string? fallback, IOutcomeStatistics stats)
    {
        var costs = new Dictionary<string, double>(candidates.Count, StringComparer.Ordinal);
        foreach (var model in candidates)
        {
            double sum = 0, weight = 0;
            if (fallback is null)
            {
                foreach (var n in neighbors)
                {
                    if (stats.ForUtterance(n.Neighbor.Key, model).MeanCost is { } c)
                    {
                        sum += n.Weight * c;
                        weight += n.Weight;
                    }
                }

                if (weight == 0)
                {
                    foreach (var (route, p) in posterior)
                    {
                        if (p > 0 && stats.ForRoute(route, model).MeanCost is { } c)
                        {
                            sum += p * c;
                            weight += p;
                        }
                    }
                }
            }
            else if (stats.ForRoute(fallback, model).MeanCost is { } c)
            {
                (sum, weight) = (c, 1);
            }

            if (weight == 0)
            {
                return null;
            }

            costs[model] = sum / weight;
        }

        return costs;
    }

    /// <summary>
    /// Per candidate, the cost its term weighs: the query's expected costs when they cover every candidate
    /// (negative or non-finite ones are refused; <paramref name="perCall"/> true: each is what this call is
    /// expected to cost), else the catalogue's prices (<paramref name="perCall"/> false: a price per unit, not a call's cost).
    /// </summary>
    private double[] Costs(List<string> candidates, IReadOnlyDictionary<string, double>? expected, out bool perCall)
    {
        perCall = expected is not null && candidates.All(expected.ContainsKey);
        if (perCall)
        {
            return [.. candidates.Select(m => expected![m] is >= 0 and var c && double.IsFinite(c)
                ? c
                : throw new ArgumentException($"Expected cost of '{m}' is {expected[m]}; it must be finite and non-negative.", nameof(expected)))];
        }

        return [.. candidates.Select(_table.CostOf)];
    }

    /// <summary>
    /// The first <paramref name="k"/> neighbours by similarity (ties by id) with w_i = exp((s_i − s_max)/τ)
    /// and w_i / Σ w. Shared with outcome crediting (<c>Engine.OutcomeCrediting</c>) and the conversation benchmark.
    /// </summary>
    public static IReadOnlyList<WeightedNeighbor> Weigh(IReadOnlyList<Neighbor> neighbors, int k, double temperature)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be positive.");
        }

        var sorted = neighbors
            .Where(n => n is not null && float.IsFinite(n.Similarity))
            .OrderByDescending(n => n.Similarity).ThenBy(n => n.Id)
            .Take(k).ToArray();
        if (sorted.Length == 0)
        {
            return [];
        }

        double max = sorted[0].Similarity;
        var weights = new double[sorted.Length];
        var total = 0.0;
        for (var i = 0; i < sorted.Length; i++)
        {
            weights[i] = Math.Exp((sorted[i].Similarity - max) / temperature);
            total += weights[i];
        }

        var result = new WeightedNeighbor[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            result[i] = new WeightedNeighbor(sorted[i], weights[i], weights[i] / total);
        }

        return result;
    }

    /// <summary>P_knn(r) = Σ_{i∈r} w_i / Σ w: the neighbours' route vote.</summary>
    public static Dictionary<string, double> KnnPosterior(IReadOnlyList<WeightedNeighbor> neighbors)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        // Raw weights summed per route, then divided once: a route's sum skips terms of the total's
        // own sum in the same order, so it never exceeds it, and one route gets exactly 1. (Summing
        // the normalised weights instead gave 1.0000000000000002 for ten neighbours of one route.)
        var vote = new Dictionary<string, double>(StringComparer.Ordinal);
        double total = 0;
        foreach (var n in neighbors)
        {
            vote[n.Neighbor.Route] = vote.GetValueOrDefault(n.Neighbor.Route) + n.Weight;
            total += n.Weight;
        }

        foreach (var route in vote.Keys)
        {
            vote[route] /= total;
        }

        return vote;
    }

    /// <summary>The route with the largest vote (ties by name), or null when nothing voted.</summary>
    public static string? TopRoute(IReadOnlyDictionary<string, double> vote)
    {
        ArgumentNullException.ThrowIfNull(vote);
        return vote.Count == 0
            ? null
            : vote.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).First().Key;
    }

    private IReadOnlyDictionary<string, double> Posterior(IReadOnlyList<WeightedNeighbor> neighbors, RoutePosteriorFunction? routePosterior)
    {
        var knn = KnnPosterior(neighbors);
        if (routePosterior is null)
        {
            return knn;
        }

        var posterior = routePosterior(knn);
        foreach (var (route, p) in posterior)
        {
            if (!(p >= 0) || !double.IsFinite(p) || !_table.ContainsRoute(route))
            {
                throw new ArgumentException($"Route posterior of '{route}' is {p}; it must be finite and non-negative, over the routing table's routes.", nameof(routePosterior));
            }
        }

        return posterior;
    }

    private RouteContribution[] Support(
        string model, IReadOnlyDictionary<string, double> posterior, IReadOnlyList<WeightedNeighbor> neighbors, IOutcomeStatistics stats)
    {
        List<RouteContribution>? support = null;
        foreach (var (route, p) in posterior)
        {
            if (p <= 0 || !_table.TryGetPrior(route, model, out var prior))
            {
                continue; // a route that does not target the model contributes 0
            }

            var routeRate = RouteRate(stats, route, model, prior);
            double weighted = 0, weights = 0;
            foreach (var n in neighbors)
            {
                if (string.Equals(n.Neighbor.Route, route, StringComparison.Ordinal))
                {
                    weighted += n.Weight * SmoothedOrPrior(stats.ForUtterance(n.Neighbor.Key, model), routeRate, Options.UtteranceSmoothingStrength);
                    weights += n.Weight;
                }
            }

            var q = weights > 0 ? weighted / weights : routeRate;
            (support ??= []).Add(new RouteContribution(route, p * q));
        }

        if (support is null)
        {
            return [];
        }

        support.Sort(static (a, b) =>
        {
            var c = b.Contribution.CompareTo(a.Contribution);
            return c != 0 ? c : string.CompareOrdinal(a.Route, b.Route);
        });
        return [.. support];
    }

    private RouteContribution[] FallbackSupport(string fallback, string model, IOutcomeStatistics stats) =>
        _table.TryGetPrior(fallback, model, out var prior)
            ? [new RouteContribution(fallback, RouteRate(stats, fallback, model, prior))]
            : [];

    private double RouteRate(IOutcomeStatistics stats, string route, string model, double prior) =>
        SmoothedOrPrior(stats.ForRoute(route, model), prior, Options.RouteSmoothingStrength);

    private static double SmoothedOrPrior(SuccessCounts counts, double prior, double strength) =>
        counts.Trials + strength > 0 ? counts.Smoothed(prior, strength) : prior;

    private List<string> ResolveCandidates(RankerInput request)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in request.Excluded ?? [])
        {
            excluded.Add(_table.ContainsModel(model) ? model : throw UnknownModelException.For(model, "Excluded"));
        }

        var chosen = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var source = request.Candidates is { Count: > 0 } only ? (IEnumerable<string>)only : DefaultCandidates();
        foreach (var model in source)
        {
            if (!_table.ContainsModel(model))
            {
                throw UnknownModelException.For(model, "Candidates");
            }

            if (!excluded.Contains(model) && seen.Add(model))
            {
                chosen.Add(model);
            }
        }

        if (chosen.Count == 0)
        {
            // Refused rather than answered with an empty ranking that looks like success.
            throw new RouterException(RouterErrorCode.InvalidArgument,
                $"no model left to rank: excluded removes every one of the {source.Distinct(StringComparer.Ordinal).Count()} candidate models.");
        }

        return chosen;
    }

    /// <summary>Every model of the routing table but the left-out ones (all of them, if that would leave none).</summary>
    private IEnumerable<string> DefaultCandidates()
    {
        if (Options.LeftOutModels.Count == 0)
        {
            return _table.Models;
        }

        var kept = _table.Models.Where(m => !Options.LeftOutModels.Contains(m, StringComparer.Ordinal)).ToList();
        return kept.Count > 0 ? kept : _table.Models;
    }

    private sealed class NoOutcomes : IOutcomeStatistics
    {
        public static readonly NoOutcomes Instance = new();

        public SuccessCounts ForUtterance(UtteranceKey utterance, string model) => SuccessCounts.None;

        public SuccessCounts ForRoute(string route, string model) => SuccessCounts.None;
    }
}
