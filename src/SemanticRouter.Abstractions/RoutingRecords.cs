namespace SemanticRouter;

/// <summary>One earlier turn of a conversation (<paramref name="Role"/> is informative: "user", "assistant", …).</summary>
public sealed record ConversationTurn(string Role, string Text);

/// <summary>A prompt to rank target models for.</summary>
/// <param name="Query">The prompt. Required; at most the router's query limit in UTF-8 bytes.</param>
public sealed record RoutingRequest(string Query)
{
    /// <summary>Earlier turns, oldest first; they are blended into the query with decaying weight.</summary>
    public IReadOnlyList<ConversationTurn> History { get; init; } = [];

    /// <summary>Neighbours that vote; null = the router's default (the settings its index carries).</summary>
    public int? K { get; init; }

    /// <summary>Only rank these models (empty = every model). An unknown name is <see cref="RouterErrorCode.InvalidArgument"/>.</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>Never rank these models. An unknown name is <see cref="RouterErrorCode.InvalidArgument"/>.</summary>
    public IReadOnlyList<string> Excluded { get; init; } = [];

    /// <summary>Quality–cost trade-off λ ≥ 0; null = the router's default.</summary>
    public double? CostWeight { get; init; }

    /// <summary>Return the neighbours the decision was made from in <see cref="RoutingDecision.Neighbors"/>.</summary>
    public bool IncludeNeighbors { get; init; }

    /// <summary>Free-form caller metadata (tenant, application, …) kept with the request id.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>One ranked target model.</summary>
/// <param name="Model">The model's name in the model catalogue.</param>
/// <param name="Score">Ranking score: <paramref name="Quality"/> − λ·<paramref name="Cost"/>; higher is better.</param>
/// <param name="Quality">Predicted success in [0, 1] before the cost term.</param>
/// <param name="Cost">Normalised cost in [0, 1] (the model's expected cost over the largest candidate's).</param>
/// <param name="SupportingRoutes">The routes whose utterances voted for the model, strongest first.</param>
public sealed record ModelScore(string Model, double Score, double Quality, double Cost, IReadOnlyList<string> SupportingRoutes)
{
    /// <summary>The text outcome model's estimate, when it was blended into <see cref="Quality"/>; otherwise null.</summary>
    public double? TextEstimate { get; init; }

    /// <summary>
    /// What this call of the model is expected to cost in US dollars, from the costs outcomes were recorded with
    /// (the query's neighbours', else its routes'); null when the router ranked on the catalogue's prices instead.
    /// </summary>
    public double? ExpectedCostUsd { get; init; }
}

/// <summary>The route a prompt matched, or the abstention (a value, not an error).</summary>
/// <param name="Route">The best route ("" when the index is empty).</param>
/// <param name="Confidence">P(route | prompt) in [0, 1].</param>
/// <param name="Abstained">The best match was under its threshold: out of scope; the models are the fallback route's.</param>
/// <param name="FallbackRoute">The configured fallback route when abstaining, else null.</param>
/// <param name="Threshold">The threshold the decision was compared with.</param>
public sealed record RouteVerdict(string Route, double Confidence, bool Abstained, string? FallbackRoute, double Threshold);

/// <summary>Observed success of one model on one utterance (fractional: an outcome credits each neighbour by its weight).</summary>
public sealed record ModelTally(string Model, double Successes, double Trials, double Estimate);

/// <summary>One nearest utterance and the weight of its vote.</summary>
/// <param name="Utterance">The utterance text.</param>
/// <param name="Route">Its route.</param>
/// <param name="Similarity">Cosine similarity to the prompt, in [-1, 1].</param>
/// <param name="Weight">Normalised vote weight in [0, 1].</param>
public sealed record NeighborVote(string Utterance, string Route, double Similarity, double Weight)
{
    /// <summary>Each target model's observed success on this utterance (filled by <see cref="ISemanticRouter.InspectNeighborsAsync"/>).</summary>
    public IReadOnlyList<ModelTally>? Models { get; init; }
}

/// <summary>Where the time of one ranking went (in-process only; null from a remote router).</summary>
public sealed record RoutingTimings(TimeSpan Embedding, TimeSpan Search);

/// <summary>The answer to <see cref="ISemanticRouter.RankAsync"/>.</summary>
/// <param name="RequestId">Cite it in <see cref="ISemanticRouter.RecordOutcomeAsync"/>. Unique per call.</param>
/// <param name="Models">Every candidate, best first.</param>
/// <param name="Route">The matched route or the abstention.</param>
/// <param name="Neighbors">The voting neighbours, most similar first (empty unless asked for).</param>
/// <param name="IndexVersion">The index that answered.</param>
public sealed record RoutingDecision(
    string RequestId,
    IReadOnlyList<ModelScore> Models,
    RouteVerdict Route,
    IReadOnlyList<NeighborVote> Neighbors,
    string IndexVersion)
{
    /// <summary>The best model, or null when no candidate was ranked.</summary>
    public string? BestModel => Models.Count > 0 ? Models[0].Model : null;

    /// <summary>Where the time went, when the router measured it.</summary>
    public RoutingTimings? Timings { get; init; }
}
