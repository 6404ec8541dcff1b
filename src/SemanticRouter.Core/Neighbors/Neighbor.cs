using SemanticRouter.Routes;

namespace SemanticRouter.Neighbors;

/// <summary>
/// One nearest utterance of a query, as the index search returned it: the index id, the stable
/// <see cref="UtteranceKey"/> that outcome statistics are kept under, its route and text, and the
/// cosine similarity to the query.
/// </summary>
public sealed record Neighbor(int Id, UtteranceKey Key, string Route, string Utterance, float Similarity);
