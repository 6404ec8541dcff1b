using System.Diagnostics;
using SemanticRouter.Insight;
using SemanticRouter.Neighbors;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;

namespace SemanticRouter.Engine;

/// <summary>Ranking a query and inspecting its neighbours.</summary>
public sealed partial class RouterEngine
{
    /// <summary>Longest query text the request log keeps for the text outcome model (4,096 chars: 8 KiB).</summary>
    private const int MaxRememberedTextChars = 4096;

    /// <summary>Ranks the target models for a query, best first.</summary>
    /// <exception cref="RouterQueryException">Empty or over-long query, bad k or cost weight.</exception>
    /// <exception cref="UnknownModelException">A candidate or excluded model the catalogue does not know.</exception>
    public async Task<EngineDecision> RankAsync(EngineQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        int k = ValidateK(query.K ?? Volatile.Read(ref _snapshot).Settings.DefaultK);
        ValidateText(query.Text, "query");
        foreach (string turn in query.EarlierTurns)
        {
            ValidateText(turn, "earlier turn");
        }

        if (query.CostWeight is { } lambda && !(lambda >= 0 && double.IsFinite(lambda)))
        {
            throw new RouterQueryException(RouterQueryError.BadCostWeight, $"cost weight must be a finite number ≥ 0, got {lambda}");
        }

        var clock = Stopwatch.StartNew();
        float[] vector = await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false);
        var embedding = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();

        var snapshot = Volatile.Read(ref _snapshot);
        var settings = snapshot.Settings;
        clock.Restart();
        var head = snapshot.Head;
        var neighbors = Search(snapshot, vector, head is null ? k : Math.Max(k, head.Parameters.K));
        var search = clock.Elapsed;
        RoutePosteriorFunction? routePosterior = null;
        bool? abstain = null;
        if (head is not null && settings.RouteHead != RouteHeadUse.None)
        {
            // The head's fitted abstention rule decides either way; the posterior is its own fitted blend
            // (intent routing) or its classifier blended into the ranker's vote at α (outcome routing).
            var routes = neighbors.Select(n => (head.RouteIndex.GetValueOrDefault(n.Route, -1), n.Similarity)).Where(n => n.Item1 >= 0).ToList();
            var decision = head.Decide(vector, routes);
            abstain = decision.Abstain;
            double alpha = settings.Options.RouteHeadWeight;
            routePosterior = settings.RouteHead == RouteHeadUse.FittedBlend
                ? _ => decision.Posterior
                : vote => RouteHeadMath.Blend(decision.Classifier, vote, alpha);
        }

        var textModel = _text?.Model;
        var result = snapshot.Ranker.Rank(new RankerInput(neighbors)
        {
            K = k,
            RoutePosterior = routePosterior,
            Abstain = abstain,
            Candidates = query.Candidates is { Count: > 0 } ? query.Candidates : null,
            Excluded = query.Excluded,
            CostWeight = query.CostWeight,
            Statistics = _outcomes,
            TextEstimates = textModel?.Predict(query.Text, query.EarlierTurns, settings.Options.ConversationDecay, textModel.Models),
            HeadEstimates = settings.QualityHead?.Predict(vector),
        });

        // With the text model on, the text is kept with the credits, so an outcome by request id teaches it
        // too; capped, because the request log holds up to RequestCapacity entries.
        string? remembered = _text is null ? null : Truncate(query.Text, MaxRememberedTextChars);
        string requestId = _requests.Remember(OutcomeCrediting.FromRanking(result) with { QueryText = remembered });
        _recent.Add(new RecentDecision(DateTimeOffset.UtcNow, requestId, query.Text, result.Match?.Route ?? string.Empty, result.Match?.Confidence ?? 0, result.IsAbstained, result.Models.Count > 0 ? result.Models[0].Model : null));
        return new EngineDecision(requestId, result, snapshot.Version, embedding, search);
    }

    /// <summary>The k nearest utterances of a query with each target model's observed success on them.</summary>
    public async Task<IReadOnlyList<InspectedNeighbor>> InspectAsync(string query, int k, CancellationToken cancellationToken = default)
    {
        ValidateText(query, "query");
        k = ValidateK(k);
        var embedding = await _embedder.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        var snapshot = Volatile.Read(ref _snapshot);
        var neighbors = Search(snapshot, embedding[0].Vector.ToArray(), k);
        var table = snapshot.Ranker.Table;
        var ranking = snapshot.Settings.Options;
        var list = new List<InspectedNeighbor>(neighbors.Count);
        foreach (var n in neighbors)
        {
            var models = new List<ModelSuccess>();
            foreach (var target in table.GetRoute(n.Route)?.Targets ?? [])
            {
                var counts = _outcomes.ForUtterance(n.Key, target.Model);
                var route = _outcomes.ForRoute(n.Route, target.Model);
                double routeRate = route.Smoothed(target.Prior, ranking.RouteSmoothingStrength);
                models.Add(new ModelSuccess(target.Model, target.Prior, counts.Successes, counts.Trials,
                    counts.Smoothed(routeRate, ranking.UtteranceSmoothingStrength)));
            }

            list.Add(new InspectedNeighbor(n, models));
        }

        return list;
    }

    private async Task<float[]> EmbedQueryAsync(EngineQuery query, CancellationToken cancellationToken)
    {
        if (query.EarlierTurns.Count == 0)
        {
            var one = await _embedder.GenerateAsync([query.Text], cancellationToken: cancellationToken).ConfigureAwait(false);
            return one[0].Vector.ToArray();
        }

        var all = await _embedder.GenerateAsync([.. query.EarlierTurns, query.Text], cancellationToken: cancellationToken).ConfigureAwait(false);
        var earlier = new float[query.EarlierTurns.Count][];
        for (int i = 0; i < earlier.Length; i++)
        {
            earlier[i] = all[i].Vector.ToArray();
        }

        return ConversationEmbedding.Blend(all[^1].Vector.Span, earlier, Volatile.Read(ref _snapshot).Settings.Options.ConversationDecay);
    }

    private List<Neighbor> Search(RouterSnapshot snapshot, float[] vector, int k) => snapshot.Search(vector, k, _options.EfSearch);

    private static string Truncate(string text, int chars)
    {
        if (text.Length <= chars)
        {
            return text;
        }

        // never split a surrogate pair
        return text[..(char.IsHighSurrogate(text[chars - 1]) ? chars - 1 : chars)];
    }

    private static int ValidateK(int k) => k is >= 1 and <= RankingOptions.MaxK
        ? k
        : throw new RouterQueryException(RouterQueryError.BadK, $"k must be in 1..{RankingOptions.MaxK}, got {k}");
}
