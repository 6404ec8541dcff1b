using SemanticRouter.Neighbors;

namespace SemanticRouter.Engine;

/// <summary>One neighbour in the debugging view, with the observed success of each model on it.</summary>
public sealed record InspectedNeighbor(Neighbor Neighbor, IReadOnlyList<ModelSuccess> Models);

/// <summary>Observed and smoothed success of one model on an utterance (or route).</summary>
public sealed record ModelSuccess(string Model, double Prior, double Successes, double Trials, double Smoothed);
