using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>
/// What a caller reports after using a model: the model and how well it did (a score in [0, 1];
/// success = 1, failure = 0), about either a ranking (<see cref="RequestId"/>) or a query text
/// (<see cref="QueryText"/>); exactly one of the two.
/// </summary>
public sealed record Outcome(string Model, double Score)
{
    public string? RequestId { get; init; }

    public string? QueryText { get; init; }

    /// <summary>When it happened (null = when recorded).</summary>
    public DateTimeOffset? Time { get; init; }

    public static Outcome ForRequest(string requestId, string model, double score) => new(model, score) { RequestId = requestId };

    public static Outcome ForRequest(string requestId, string model, bool success) => ForRequest(requestId, model, success ? 1 : 0);

    public static Outcome ForQuery(string queryText, string model, double score) => new(model, score) { QueryText = queryText };

    public static Outcome ForQuery(string queryText, string model, bool success) => ForQuery(queryText, model, success ? 1 : 0);
}

/// <summary>An utterance credited by an outcome, with its share of the outcome (normalised weight).</summary>
public readonly record struct UtteranceCredit(UtteranceKey Key, double Weight);

/// <summary>A route credited by an outcome, with its share of the outcome.</summary>
public readonly record struct RouteCredit(string Route, double Weight);

/// <summary>
/// Where an outcome's evidence goes: each utterance credit adds (score·w, w) to that utterance's
/// counts for the model, each route credit the same to the route's counts.
/// </summary>
public sealed record OutcomeCredits(IReadOnlyList<UtteranceCredit> Utterances, IReadOnlyList<RouteCredit> Routes)
{
    public static OutcomeCredits None { get; } = new([], []);

    /// <summary>
    /// The text of the ranked query, remembered with a ranking's credits so that an outcome reported by
    /// request id is stored with its text and teaches the text outcome model too. Not part of the credits' encoding.
    /// </summary>
    public string? QueryText { get; init; }

    public bool IsEmpty => Utterances.Count == 0 && Routes.Count == 0;

    /// <summary>
    /// Credits for an outcome about <paramref name="result"/>: every voting neighbour in proportion to its
    /// normalised weight, and the matched route with weight 1. When the ranker abstained onto a fallback
    /// route, only the fallback route is credited (the neighbours were too far to have spoken for the query).
    /// </summary>
    public static OutcomeCredits FromRanking(Ranking.RankingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsAbstained && result.FallbackRoute is { } fallback)
        {
            return new OutcomeCredits([], [new RouteCredit(fallback, 1)]);
        }

        var utterances = result.Neighbors.Select(n => new UtteranceCredit(n.Neighbor.Key, n.NormalisedWeight)).ToArray();
        RouteCredit[] routes = result.Match is { } match ? [new RouteCredit(match.Route, 1)] : [];
        return new OutcomeCredits(utterances, routes);
    }

    /// <summary>
    /// Credits for an outcome that carries only its query text: the query's neighbours weighted as the
    /// ranker weighs them (first k, temperature τ), and the route with the largest kNN vote with weight 1.
    /// </summary>
    public static OutcomeCredits FromNeighbors(IReadOnlyList<Ranking.Neighbor> neighbors, Ranking.RankingOptions? options = null)
    {
        options ??= Ranking.RankingOptions.Default;
        var weighted = Ranking.Ranker.Weigh(neighbors, options.K, options.Temperature);
        var utterances = weighted.Select(n => new UtteranceCredit(n.Neighbor.Key, n.NormalisedWeight)).ToArray();
        var route = Ranking.ConversationBenchmark.Predict(neighbors, options);
        RouteCredit[] routes = route is null ? [] : [new RouteCredit(route, 1)];
        return new OutcomeCredits(utterances, routes);
    }
}
