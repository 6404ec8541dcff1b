using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Ranking;

/// <summary>
/// One nearest utterance of a query, as the index search returned it: the index id, the stable
/// <see cref="UtteranceKey"/> that outcome statistics are kept under, its route and text, and the
/// cosine similarity to the query.
/// </summary>
public sealed record Neighbor(int Id, UtteranceKey Key, string Route, string Utterance, float Similarity);

/// <summary>A neighbour with the vote weight w_i = exp((s_i − s_max)/τ) it received, and that weight normalised (Σ = 1).</summary>
public sealed record WeightedNeighbor(Neighbor Neighbor, double Weight, double NormalisedWeight);
