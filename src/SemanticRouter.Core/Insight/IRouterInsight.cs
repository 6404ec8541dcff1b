namespace SemanticRouter.Insight;

/// <summary>
/// What a person tuning a router looks at besides a single ranking: the index now serving, a route's
/// utterances, each model's success per route, and what the router did lately. Read-only, answered from
/// memory (no I/O), bounded in size. The contract (<see cref="ISemanticRouter"/>) answers for one query; this
/// answers for the whole router. The engine implements it; the web page (SemanticRouter.Server/Web) reads it.
/// </summary>
public interface IRouterInsight
{
    /// <summary>The index now serving: version, model, counts, HNSW parameters, the ranking settings in force.</summary>
    IndexDescription DescribeIndex();

    /// <summary>The utterances of <paramref name="route"/> now indexed (those added at run time included), in index order.</summary>
    /// <exception cref="RouterException"><see cref="RouterErrorCode.NotFound"/>: no such route.</exception>
    IReadOnlyList<string> Utterances(string route);

    /// <summary>Each route × target model: the outcomes credited to the route and the smoothed success the ranker starts from.</summary>
    IReadOnlyList<RouteModelStatistics> RouteStatistics();

    /// <summary>The most recent rankings and outcomes since the router started, newest first (at most <see cref="RecentActivityLog.Capacity"/> of each).</summary>
    RecentActivity Recent();
}

/// <summary>The index now serving (<see cref="IRouterInsight.DescribeIndex"/>).</summary>
/// <param name="Version">The index version (with "+n" when n utterances were added since it was loaded).</param>
/// <param name="BuiltUtc">When the artefact was built.</param>
/// <param name="ModelName">The encoder's name.</param>
/// <param name="ModelFingerprint">The encoder's fingerprint, which the artefact was checked against.</param>
/// <param name="Dimensions">Embedding dimensions.</param>
/// <param name="Routes">Routes now serving.</param>
/// <param name="Models">Target models in the catalogue.</param>
/// <param name="Utterances">Utterances now indexed.</param>
/// <param name="Outcomes">Outcomes stored.</param>
/// <param name="Hnsw">The HNSW graph's parameters.</param>
/// <param name="Settings">The ranking settings in force, name → value, in a fixed order.</param>
/// <param name="RouteHead">How the route head takes part ("None" when the index has none).</param>
/// <param name="SettingsWaitForRestart">The index carries other ranking settings than those in force; they apply at the next start.</param>
public sealed record IndexDescription(
    string Version,
    DateTimeOffset BuiltUtc,
    string ModelName,
    string ModelFingerprint,
    int Dimensions,
    int Routes,
    int Models,
    int Utterances,
    long Outcomes,
    HnswDescription Hnsw,
    IReadOnlyList<KeyValuePair<string, string>> Settings,
    string RouteHead,
    bool SettingsWaitForRestart);

/// <summary>HNSW parameters of the index now serving.</summary>
public sealed record HnswDescription(int M, int EfConstruction, int EfSearch, int Seed);

/// <summary>One route × target model (<see cref="IRouterInsight.RouteStatistics"/>).</summary>
/// <param name="Route">The route.</param>
/// <param name="Model">A target model of the route.</param>
/// <param name="Prior">The route file's prior success for the model.</param>
/// <param name="Successes">Successes credited to the route (fractional: an outcome credits routes by weight).</param>
/// <param name="Trials">Trials credited to the route.</param>
/// <param name="Estimate">The smoothed success the ranker starts from on this route: (successes + β_r·prior) / (trials + β_r).</param>
public sealed record RouteModelStatistics(string Route, string Model, double Prior, double Successes, double Trials, double Estimate);

/// <summary>A ranking the router made (<see cref="IRouterInsight.Recent"/>).</summary>
/// <param name="Time">When it was made.</param>
/// <param name="RequestId">Its request id (for outcomes).</param>
/// <param name="Query">The query, cut to <see cref="RecentActivityLog.MaxQueryChars"/> characters.</param>
/// <param name="Route">The matched route ("" for none).</param>
/// <param name="Confidence">P(route | query).</param>
/// <param name="Abstained">The match was under its threshold.</param>
/// <param name="BestModel">The top model, or null when none was ranked.</param>
public sealed record RecentDecision(DateTimeOffset Time, string RequestId, string Query, string Route, double Confidence, bool Abstained, string? BestModel);

/// <summary>An outcome the router stored (<see cref="IRouterInsight.Recent"/>).</summary>
/// <param name="Time">When it was stored.</param>
/// <param name="Model">The model it is about.</param>
/// <param name="Score">The outcome in [0, 1].</param>
/// <param name="RequestId">The ranking it was reported for, or null for an outcome by query text.</param>
/// <param name="Route">The route it credited most, or null when it credited none.</param>
public sealed record RecentOutcome(DateTimeOffset Time, string? RequestId, string Model, double Score, string? Route);

/// <summary>The most recent rankings and outcomes, newest first.</summary>
public sealed record RecentActivity(IReadOnlyList<RecentDecision> Decisions, IReadOnlyList<RecentOutcome> Outcomes);
