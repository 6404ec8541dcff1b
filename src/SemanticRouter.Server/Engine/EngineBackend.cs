using SemanticRouter.Artifacts;
using SemanticRouter.Engine;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Engine;

/// <summary>
/// <see cref="IRouterBackend"/> over the real <see cref="RouterEngine"/>: maps records both ways and
/// engine exceptions onto <see cref="RouterInputException"/> kinds, in this one place.
/// </summary>
public sealed class EngineBackend(RouterEngine engine, RouterMetrics? metrics = null) : IRouterBackend
{
    public bool IsReady => true;

    public async ValueTask<RankResult> RankAsync(RankQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var decision = await Guard(() => engine.RankAsync(ToRouteQuery(query.Query, query.History, query.K, query) , cancellationToken)).ConfigureAwait(false);
        var r = decision.Ranking;
        return new RankResult(
            decision.RequestId,
            [.. r.Models.Select(m => new ModelScore(m.Model, m.Score, [.. m.SupportingRoutes.Select(s => s.Route)], m.Quality, m.NormalisedCost) { TextEstimate = m.TextEstimate })],
            Decision(r),
            query.IncludeNeighbors ? [.. r.Neighbors.Select(n => new NeighborInfo(n.Neighbor.Utterance, n.Neighbor.Route, n.Neighbor.Similarity, n.NormalisedWeight))] : [],
            decision.IndexVersion,
            new RankTimings(decision.EmbeddingTime, decision.SearchTime));
    }

    public async ValueTask<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var outcome = new Outcome(report.Model, report.Value) { RequestId = report.RequestId, QueryText = report.RequestId is null ? report.Query : null };
        var stored = await Guard(() => engine.RecordOutcomeAsync(outcome, cancellationToken)).ConfigureAwait(false);
        metrics?.RecordOutcome(report.Model, report.Value);
        return new OutcomeReceipt(report.RequestId ?? stored.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask<NeighborInspection> InspectNeighborsAsync(InspectQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // The ranking gives the match and the neighbours' weights; the inspection adds per-model
        // statistics. The second embedding is a cache hit in the server's encoder stack.
        var decision = await Guard(() => engine.RankAsync(ToRouteQuery(query.Query, query.History, query.K, null), cancellationToken)).ConfigureAwait(false);
        var inspected = await Guard(() => engine.InspectAsync(query.Query, query.K, cancellationToken)).ConfigureAwait(false);
        var weights = decision.Ranking.Neighbors.ToDictionary(n => n.Neighbor.Id, n => n.NormalisedWeight);
        var neighbors = inspected.Select(i => new NeighborInfo(
            i.Neighbor.Utterance,
            i.Neighbor.Route,
            i.Neighbor.Similarity,
            weights.GetValueOrDefault(i.Neighbor.Id),
            [.. i.Models.Select(m => new ModelSuccessStats(m.Model, m.Successes, m.Trials, m.Smoothed))])).ToList();
        return new NeighborInspection(neighbors, Decision(decision.Ranking), decision.IndexVersion);
    }

    public ValueTask<RouteListing> ListRoutesAsync(CancellationToken cancellationToken)
    {
        var catalog = engine.Catalog;
        var routes = catalog.Routes.Select(r => new RouteSummary(
            r.Name,
            r.Description,
            [.. r.Targets.Select(t => t.Model)],
            r.Utterances.Count,
            r.Threshold ?? engine.Settings.Options.DefaultThreshold)).ToList();
        return ValueTask.FromResult(new RouteListing(routes, engine.IndexVersion));
    }

    public async ValueTask<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken)
    {
        var result = await Guard(() => engine.AddUtterancesAsync(route, utterances, cancellationToken)).ConfigureAwait(false);
        metrics?.SetIndex(engine.IndexVersion, engine.UtteranceCount);
        return new UtterancesAdded(result.Added.Count, engine.IndexVersion);
    }

    public async ValueTask<ReloadResult> ReloadAsync(string? path, CancellationToken cancellationToken)
    {
        string previous = engine.IndexVersion;
        if (path is not null && !Directory.Exists(path))
        {
            throw new RouterInputException(RouterErrorKind.NotFound, $"no index artefact directory at '{path}'");
        }

        try
        {
            string version = await engine.ReloadAsync(path, cancellationToken).ConfigureAwait(false);
            metrics?.RecordReload(true);
            metrics?.SetIndex(version, engine.UtteranceCount);
            return new ReloadResult(version, previous, engine.UtteranceCount, engine.Catalog.Routes.Count, engine.IndexRankingSettingsChanged);
        }
        catch (ArtifactException e)
        {
            metrics?.RecordReload(false);
            throw new RouterInputException(RouterErrorKind.CorruptArtifact, $"index not reloaded, the old one keeps serving: {e.Message}", e);
        }
    }

    private static EngineQuery ToRouteQuery(string text, IReadOnlyList<ConversationTurn> history, int k, RankQuery? rank) => new(text)
    {
        EarlierTurns = [.. history.Select(t => t.Text)],
        K = k,
        Candidates = rank?.Candidates,
        Excluded = rank?.Excluded,
        CostWeight = rank?.CostWeight,
    };

    private static RouteDecision Decision(RankingResult r) => new(
        r.Match?.Route ?? string.Empty,
        r.Match?.Confidence ?? 0,
        r.IsAbstained,
        r.FallbackRoute,
        r.Threshold);

    // Engine exceptions → the server's error kinds. Anything else is a bug and surfaces as INTERNAL.
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RouterQueryException e)
        {
            throw new RouterInputException(RouterErrorKind.InvalidArgument, e.Message, e);
        }
        catch (UnknownModelException e)
        {
            throw new RouterInputException(RouterErrorKind.UnknownModel, e.Message.Split(" (Parameter")[0], e);
        }
        catch (OutcomeRejectedException e)
        {
            throw new RouterInputException(e.Reason switch
            {
                OutcomeRejectionReason.UnknownRequestId => RouterErrorKind.UnknownRequestId,
                OutcomeRejectionReason.UnknownModel => RouterErrorKind.UnknownModel,
                OutcomeRejectionReason.ScoreOutOfRange => RouterErrorKind.ScoreOutOfRange,
                _ => RouterErrorKind.InvalidArgument,
            }, e.Message, e);
        }
        catch (RouteEditException e)
        {
            throw new RouterInputException(e.Kind switch
            {
                RouteEditErrorKind.UnknownRoute => RouterErrorKind.UnknownRoute,
                RouteEditErrorKind.DuplicateUtterance => RouterErrorKind.DuplicateUtterance,
                _ => RouterErrorKind.InvalidArgument,
            }, e.Message, e);
        }
    }
}
