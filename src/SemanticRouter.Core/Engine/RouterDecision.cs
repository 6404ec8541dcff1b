using SemanticRouter.Ranking;

namespace SemanticRouter.Engine;

/// <summary>The engine's answer to a <see cref="RouteQuery"/>: the ranking plus what a caller needs to
/// report an outcome and to debug the decision.</summary>
public sealed record RouterDecision(
    string RequestId,
    RankingResult Ranking,
    string IndexVersion,
    TimeSpan EmbeddingTime,
    TimeSpan SearchTime);

/// <summary>One neighbour in the debugging view, with the observed success of each model on it.</summary>
public sealed record NeighborInspection(Neighbor Neighbor, IReadOnlyList<ModelSuccess> Models);

/// <summary>Observed and smoothed success of one model on an utterance (or route).</summary>
public sealed record ModelSuccess(string Model, double Prior, double Successes, double Trials, double Smoothed);
