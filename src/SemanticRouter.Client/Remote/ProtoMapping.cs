using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Client;

/// <summary>Contract records ↔ wire messages, in one place (the server's mapping is the mirror image).</summary>
internal static class ProtoMapping
{
    public static RankModelsRequest ToProto(RoutingRequest request)
    {
        var proto = new RankModelsRequest
        {
            Query = request.Query ?? string.Empty,
            K = request.K ?? 0,
            IncludeNeighbors = request.IncludeNeighbors,
        };
        if (request.CostWeight is { } lambda)
        {
            proto.CostWeight = lambda;
        }

        proto.Candidates.Add(request.Candidates);
        proto.Excluded.Add(request.Excluded);
        proto.History.Add(request.History.Select(ToProto));
        foreach (var (key, value) in request.Metadata)
        {
            proto.Metadata[key] = value;
        }

        return proto;
    }

    public static RecordOutcomeRequest ToProto(OutcomeReport report)
    {
        var proto = new RecordOutcomeRequest { Model = report.Model ?? string.Empty, Score = report.Score };
        if (report.RequestId is { } id)
        {
            proto.RequestId = id;
        }
        else if (report.Query is { } query)
        {
            proto.Query = query;
        }

        if (report.IdempotencyKey is { } key)
        {
            proto.IdempotencyKey = key;
        }

        if (report.CostUsd is { } cost)
        {
            proto.CostUsd = cost;
        }

        return proto;
    }

    public static InspectNeighborsRequest ToProto(InspectRequest request)
    {
        var proto = new InspectNeighborsRequest { Query = request.Query ?? string.Empty, K = request.K ?? 0 };
        proto.History.Add(request.History.Select(ToProto));
        return proto;
    }

    public static RoutingDecision FromProto(RankModelsResponse response) => new(
        response.RequestId,
        [.. response.Models.Select(FromProto)],
        FromProto(response.Match),
        [.. response.Neighbors.Select(FromProto)],
        response.IndexVersion);

    public static NeighborReport FromProto(InspectNeighborsResponse response) =>
        new([.. response.Neighbors.Select(FromProto)], FromProto(response.Match), response.IndexVersion);

    public static RouteListing FromProto(ListRoutesResponse response) => new(
        [.. response.Routes.Select(r => new RouteSummary(r.Name, NullIfEmpty(r.Description), [.. r.Models], r.UtteranceCount, r.Threshold))],
        response.IndexVersion);

    private static Turn ToProto(ConversationTurn turn) => new() { Role = turn.Role ?? string.Empty, Text = turn.Text ?? string.Empty };

    private static ModelScore FromProto(RankedModel model) =>
        new(model.Model, model.Score, model.SuccessEstimate, model.Cost, [.. model.SupportingRoutes])
        {
            TextEstimate = model.TextCase == RankedModel.TextOneofCase.TextEstimate ? model.TextEstimate : null,
            ExpectedCostUsd = model.ExpectedCostCase == RankedModel.ExpectedCostOneofCase.ExpectedCostUsd ? model.ExpectedCostUsd : null,
        };

    private static RouteVerdict FromProto(RouteMatch? match) => match is null
        ? new RouteVerdict(string.Empty, 0, false, null, 0)
        : new RouteVerdict(match.Route, match.Confidence, match.Abstained, NullIfEmpty(match.FallbackRoute), match.Threshold);

    private static NeighborVote FromProto(Neighbor neighbor) => new(neighbor.Utterance, neighbor.Route, neighbor.Similarity, neighbor.Weight)
    {
        Models = neighbor.Models.Count == 0 ? null : [.. neighbor.Models.Select(m => new ModelTally(m.Model, m.Successes, m.Trials, m.Estimate))],
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
