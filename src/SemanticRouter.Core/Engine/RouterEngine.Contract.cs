using System.Globalization;
using SemanticRouter.Artifacts;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Engine;

/// <summary>
/// The engine as the router contract (<see cref="ISemanticRouter"/>, <see cref="ISemanticRouterAdmin"/>) that
/// the gRPC service serves and in-process callers program against: the one place where the engine's own
/// records become the contract's. Implemented explicitly, so the engine's own methods keep their names.
/// </summary>
/// <remarks>
/// Refusals are the engine's exceptions, each a <see cref="RouterException"/> with its
/// <see cref="RouterErrorCode"/>. <see cref="OutcomeReport.IdempotencyKey"/> and <see cref="OutcomeReport.CostUsd"/>
/// are kept with the outcome (a replay returns the first receipt, <see cref="OutcomeReceipt.Replayed"/> set);
/// <see cref="RoutingRequest.Metadata"/> is accepted, not kept.
/// </remarks>
public sealed partial class RouterEngine : ISemanticRouter, ISemanticRouterAdmin
{
    async Task<RoutingDecision> ISemanticRouter.RankAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decision = await RankAsync(ToEngineQuery(request.Query, request.History, request.K, request), cancellationToken).ConfigureAwait(false);
        var ranking = decision.Ranking;
        return new RoutingDecision(
            decision.RequestId,
            [.. ranking.Models.Select(ToContract)],
            VerdictOf(ranking),
            request.IncludeNeighbors ? [.. ranking.Neighbors.Select(n => new NeighborVote(n.Neighbor.Utterance, n.Neighbor.Route, n.Neighbor.Similarity, n.NormalisedWeight))] : [],
            decision.IndexVersion)
        {
            Timings = new RoutingTimings(decision.EmbeddingTime, decision.SearchTime),
        };
    }

    async Task<OutcomeReceipt> ISemanticRouter.RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Both or neither of request id and query: the store refuses it (InvalidTarget) with its own message.
        var outcome = new Outcome(report.Model, report.Score)
        {
            RequestId = report.RequestId,
            QueryText = report.Query,
            IdempotencyKey = report.IdempotencyKey,
            CostUsd = report.CostUsd,
        };
        var stored = await RecordOutcomeAsync(outcome, cancellationToken).ConfigureAwait(false);
        // The first receipt, also for a replay: the request id it was filed under.
        return new OutcomeReceipt(stored.RequestId ?? stored.Id.ToString(CultureInfo.InvariantCulture), stored.Replayed);
    }

    async Task<NeighborReport> ISemanticRouter.InspectNeighborsAsync(InspectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The ranking gives the route verdict and the neighbours' vote weights; the inspection adds each
        // model's observed success. Behind a caching encoder the second embedding is a cache hit.
        var decision = await RankAsync(ToEngineQuery(request.Query, request.History, request.K, null), cancellationToken).ConfigureAwait(false);
        int k = request.K ?? Volatile.Read(ref _snapshot).Settings.DefaultK;
        var inspected = await InspectAsync(request.Query, k, cancellationToken).ConfigureAwait(false);
        var weights = decision.Ranking.Neighbors.ToDictionary(n => n.Neighbor.Id, n => n.NormalisedWeight);
        var neighbors = inspected.Select(i => new NeighborVote(i.Neighbor.Utterance, i.Neighbor.Route, i.Neighbor.Similarity, weights.GetValueOrDefault(i.Neighbor.Id))
        {
            Models = [.. i.Models.Select(m => new ModelTally(m.Model, m.Successes, m.Trials, m.Smoothed))],
        }).ToList();
        return new NeighborReport(neighbors, VerdictOf(decision.Ranking), decision.IndexVersion);
    }

    Task<RouteListing> ISemanticRouter.ListRoutesAsync(CancellationToken cancellationToken)
    {
        // One snapshot: the routes and the version belong to the same index even during a reload.
        var snapshot = Volatile.Read(ref _snapshot);
        var routes = snapshot.Catalog.Routes.Select(r => new RouteSummary(
            r.Name,
            r.Description,
            [.. r.Targets.Select(t => t.Model)],
            r.Utterances.Count,
            r.Threshold ?? snapshot.Settings.Options.DefaultThreshold)).ToList();
        return Task.FromResult(new RouteListing(routes, snapshot.Version));
    }

    async Task<UtterancesAdded> ISemanticRouterAdmin.AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(route))
        {
            throw new RouterException(RouterErrorCode.InvalidArgument, "route is required.");
        }

        var result = await AddUtterancesAsync(route, utterances, cancellationToken).ConfigureAwait(false);
        return new UtterancesAdded(result.Added.Count, IndexVersion);
    }

    async Task<IndexReloaded> ISemanticRouterAdmin.ReloadIndexAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is not null && !Directory.Exists(path))
        {
            throw new RouterException(RouterErrorCode.NotFound, $"no index artefact directory at '{path}'");
        }

        string previous = IndexVersion;
        string version;
        try
        {
            version = await ReloadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ArtifactException e)
        {
            throw new RouterException(e.Code, $"index not reloaded, the old one keeps serving: {e.Message}", e);
        }

        var snapshot = Volatile.Read(ref _snapshot);
        return new IndexReloaded(version, previous, snapshot.UtteranceCount, snapshot.Catalog.Routes.Count, IndexRankingSettingsChanged);
    }

    private static EngineQuery ToEngineQuery(string query, IReadOnlyList<ConversationTurn> history, int? k, RoutingRequest? ranking) => new(query)
    {
        EarlierTurns = [.. (history ?? []).Select(t => t.Text)],
        K = k,
        Candidates = ranking?.Candidates is { Count: > 0 } candidates ? candidates : null,
        Excluded = ranking?.Excluded,
        CostWeight = ranking?.CostWeight,
    };

    private static ModelScore ToContract(RankedModel model) =>
        new(model.Model, model.Score, model.Quality, model.NormalisedCost, [.. model.SupportingRoutes.Select(s => s.Route)])
        {
            TextEstimate = model.TextEstimate,
            ExpectedCostUsd = model.ExpectedCost, // the engine's observed costs are RecordOutcome's and imports' US dollars
        };

    private static RouteVerdict VerdictOf(RankingResult ranking) => new(
        ranking.Match?.Route ?? string.Empty,
        ranking.Match?.Confidence ?? 0,
        ranking.IsAbstained,
        ranking.FallbackRoute,
        ranking.Threshold);
}
