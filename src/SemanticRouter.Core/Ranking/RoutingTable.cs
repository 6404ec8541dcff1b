namespace SemanticRouter.Ranking;

/// <summary>One target model of a route with its prior success rate in [0, 1] (from the route file).</summary>
public readonly record struct TargetPrior(string Model, double Prior);

/// <summary>A route's target models with their priors, and the route's own abstention threshold (null = the default).</summary>
public sealed record RouteTargets(string Route, IReadOnlyList<TargetPrior> Targets, double? Threshold = null);

/// <summary>A model's price in currency units per million input and output tokens (from the model catalogue).</summary>
public sealed record ModelCost(string Model, double InputPerMTok, double OutputPerMTok)
{
    /// <summary>The price the cost term uses: input + output per million tokens (an even token mix; the
    /// ranker divides by the largest candidate's price, so only ratios matter).</summary>
    public double Blended => InputPerMTok + OutputPerMTok;
}

/// <summary>
/// What the ranker needs to know about routes and models, built once per index version from plain
/// records (the integrator builds it from the route and model catalogues). Immutable and thread-safe.
/// </summary>
public sealed class RoutingTable
{
    private readonly Dictionary<string, RouteTargets> _routes;
    private readonly Dictionary<string, Dictionary<string, double>> _priors;
    private readonly Dictionary<string, ModelCost> _costs;
    private readonly HashSet<string> _models;

    public RoutingTable(IEnumerable<RouteTargets> routes, IEnumerable<ModelCost>? costs = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = new Dictionary<string, RouteTargets>(StringComparer.Ordinal);
        _priors = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var models = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            ArgumentNullException.ThrowIfNull(route);
            ArgumentException.ThrowIfNullOrWhiteSpace(route.Route, nameof(routes));
            if (!_routes.TryAdd(route.Route, route))
            {
                throw new ArgumentException($"Route '{route.Route}' appears twice.", nameof(routes));
            }

            if (route.Threshold is { } t && (double.IsNaN(t) || t < -1 || t > 1))
            {
                throw new ArgumentException($"Route '{route.Route}': threshold {t} is outside [-1, 1].", nameof(routes));
            }

            var priors = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var target in route.Targets ?? [])
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(target.Model, nameof(routes));
                if (double.IsNaN(target.Prior) || target.Prior < 0 || target.Prior > 1)
                {
                    throw new ArgumentException($"Route '{route.Route}', model '{target.Model}': prior {target.Prior} is outside [0, 1].", nameof(routes));
                }

                if (!priors.TryAdd(target.Model, target.Prior))
                {
                    throw new ArgumentException($"Route '{route.Route}' targets model '{target.Model}' twice.", nameof(routes));
                }

                models.Add(target.Model);
            }

            _priors[route.Route] = priors;
        }

        _costs = new Dictionary<string, ModelCost>(StringComparer.Ordinal);
        foreach (var cost in costs ?? [])
        {
            ArgumentNullException.ThrowIfNull(cost);
            ArgumentException.ThrowIfNullOrWhiteSpace(cost.Model, nameof(costs));
            if (!(cost.InputPerMTok >= 0) || !(cost.OutputPerMTok >= 0) || double.IsInfinity(cost.Blended))
            {
                throw new ArgumentException($"Model '{cost.Model}': prices must be finite and non-negative.", nameof(costs));
            }

            if (!_costs.TryAdd(cost.Model, cost))
            {
                throw new ArgumentException($"Model '{cost.Model}' has two prices.", nameof(costs));
            }

            models.Add(cost.Model);
        }

        _models = new HashSet<string>(models, StringComparer.Ordinal);
        Models = [.. models];
        Routes = [.. _routes.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Every model a route targets or the catalogue prices, sorted by name.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Every route name, sorted.</summary>
    public IReadOnlyList<string> Routes { get; }

    public bool ContainsRoute(string route) => _routes.ContainsKey(route);

    public bool ContainsModel(string model) => _models.Contains(model);

    public RouteTargets? GetRoute(string route) => _routes.GetValueOrDefault(route);

    /// <summary>The route's threshold, or null when the route sets none (or is unknown).</summary>
    public double? ThresholdOf(string route) => _routes.TryGetValue(route, out var r) ? r.Threshold : null;

    /// <summary>The prior of <paramref name="model"/> on <paramref name="route"/>; false when the route does not target it.</summary>
    public bool TryGetPrior(string route, string model, out double prior)
    {
        prior = 0;
        return _priors.TryGetValue(route, out var priors) && priors.TryGetValue(model, out prior);
    }

    /// <summary>The model's blended price (0 when the catalogue has none).</summary>
    public double CostOf(string model) => _costs.TryGetValue(model, out var c) ? c.Blended : 0;
}
