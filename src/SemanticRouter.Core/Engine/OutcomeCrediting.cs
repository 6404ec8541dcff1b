using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Engine;

/// <summary>
/// What a reported outcome credits: the one place that decides it (docs/ranking.md, "Crediting"). The engine
/// computes the credits and hands them to the outcome store, which only records them.
/// <list type="bullet">
/// <item>By request id: the ranking remembered under it (<see cref="FromRanking"/>).</item>
/// <item>By query text: the text's neighbours, weighed as the ranker weighs them (<see cref="FromNeighbors"/>);
/// a text that is itself an utterance of the index credits that utterance alone (<see cref="FromUtterance"/>).</item>
/// </list>
/// </summary>
public sealed class OutcomeCrediting
{
    private readonly RequestLog? _requests;
    private readonly FindNeighbors? _findNeighbors;
    private readonly Func<string, bool>? _isKnownModel;

    /// <summary>The k nearest utterances of a text, most similar first, and the k and τ to weigh them with.</summary>
    public delegate Task<(IReadOnlyList<Neighbor> Neighbors, int K, double Temperature)> FindNeighbors(string text, CancellationToken cancellationToken);

    /// <param name="requests">Where rankings are remembered (null: outcomes by request id are refused as unknown).</param>
    /// <param name="findNeighbors">The neighbour search for outcomes by query text (null: they are refused as unsupported).</param>
    /// <param name="isKnownModel">The model catalogue (null: any non-empty name).</param>
    public OutcomeCrediting(RequestLog? requests, FindNeighbors? findNeighbors, Func<string, bool>? isKnownModel)
    {
        _requests = requests;
        _findNeighbors = findNeighbors;
        _isKnownModel = isKnownModel;
    }

    /// <summary>Validates <paramref name="outcome"/> and works out what it credits; nothing is written.</summary>
    /// <exception cref="OutcomeRejectedException">Invalid, unknown request id, a text without neighbours, ….</exception>
    public async Task<OutcomeCredits> CreditAsync(Outcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        outcome.Validate(_isKnownModel);
        if (outcome.RequestId is { } id)
        {
            if (_requests is not { } log || !log.TryGet(id, out var credits))
            {
                throw new OutcomeRejectedException(OutcomeRejectionReason.UnknownRequestId,
                    $"Unknown request id '{id}': never issued, or older than the request log's TTL.");
            }

            return credits;
        }

        var find = _findNeighbors ?? throw new OutcomeRejectedException(OutcomeRejectionReason.QueryTextUnsupported,
            "This router cannot credit query text: no index to find its neighbours.");
        var (neighbors, k, temperature) = await find(outcome.QueryText!, cancellationToken).ConfigureAwait(false);
        if (neighbors.Count == 0)
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.NoNeighbors, "The query text has no neighbour in the index to credit.");
        }

        return FromUtterance(outcome.QueryText!, neighbors) ?? FromNeighbors(neighbors, k, temperature);
    }

    /// <summary>
    /// When <paramref name="text"/> is the text of its nearest utterance (as route files compare utterances): that
    /// utterance and its route, each with weight 1. The outcome was observed on that very utterance, so it
    /// is its own evidence, not its neighbours' (spreading it would blur the outcomes of a history imported
    /// onto the prompts it was measured on: `import outcomes`, then `outcomes import`). Else null.
    /// </summary>
    public static OutcomeCredits? FromUtterance(string text, IReadOnlyList<Neighbor> neighbors)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        var top = neighbors.Count == 0 ? null : neighbors.MaxBy(n => n.Similarity);
        // Compared as route files compare utterances (white space collapsed, case folded: what the importer
        // tidies, and what this uncased encoder cannot tell apart).
        var key = Routes.RouteNames.DuplicateKey(text);
        var same = top is null ? null : neighbors.FirstOrDefault(n => n.Similarity == top.Similarity && string.Equals(Routes.RouteNames.DuplicateKey(n.Utterance), key, StringComparison.Ordinal));
        return same is null ? null : new OutcomeCredits([new UtteranceCredit(same.Key, 1)], [new RouteCredit(same.Route, 1)]);
    }

    /// <summary>
    /// Credits for an outcome about <paramref name="result"/>: every voting neighbour in proportion to its
    /// normalised weight, and the matched route with weight 1. When the ranker abstained onto a fallback
    /// route, only the fallback route is credited (the neighbours were too far to have spoken for the query).
    /// </summary>
    public static OutcomeCredits FromRanking(RankingResult result)
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
    /// ranker weighs them (first <paramref name="k"/>, temperature <paramref name="temperature"/>), and the
    /// route with the largest kNN vote with weight 1.
    /// </summary>
    public static OutcomeCredits FromNeighbors(IReadOnlyList<Neighbor> neighbors, int k, double temperature)
    {
        var weighted = Ranker.Weigh(neighbors, k, temperature);
        var utterances = weighted.Select(n => new UtteranceCredit(n.Neighbor.Key, n.NormalisedWeight)).ToArray();
        var route = Ranker.TopRoute(Ranker.KnnPosterior(weighted));
        RouteCredit[] routes = route is null ? [] : [new RouteCredit(route, 1)];
        return new OutcomeCredits(utterances, routes);
    }
}
