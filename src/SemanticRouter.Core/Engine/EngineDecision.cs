using SemanticRouter.Ranking;

namespace SemanticRouter.Engine;

/// <summary>
/// The engine's answer to an <see cref="EngineQuery"/>: the ranking plus what a caller needs to report an
/// outcome and to debug the decision. Richer than the contract's <c>RoutingDecision</c> (the route
/// contributions, the neighbours' keys and weights, the top similarity), which
/// <c>RouterEngine.Contract.cs</c> maps it to.
/// </summary>
public sealed record EngineDecision(
    string RequestId,
    RankingResult Ranking,
    string IndexVersion,
    TimeSpan EmbeddingTime,
    TimeSpan SearchTime);
