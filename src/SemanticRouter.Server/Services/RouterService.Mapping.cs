using System.Text;
using Google.Protobuf.Collections;
using SemanticRouter.Grpc.V1;
using RankingOptions = SemanticRouter.Ranking.RankingOptions;

namespace SemanticRouter.Server.Services;

/// <summary>
/// Proto ↔ contract: requests are checked for what their shape alone says (naming the proto field) and
/// become contract records; answers become proto messages. A refusal is a <see cref="RouterException"/>,
/// as the router's own are, so <see cref="RouterService"/> maps both the same way.
/// </summary>
internal sealed partial class RouterService
{
    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    private static RouterException Invalid(string message) => new(RouterErrorCode.InvalidArgument, message);

    private RoutingRequest ToRoutingRequest(RankModelsRequest request)
    {
        ValidateQuery(request.Query, "query");
        var history = ToHistory(request.History, request.Query);
        var k = ToK(request.K);
        ValidateModelNames(request.Candidates, "candidates");
        ValidateModelNames(request.Excluded, "excluded");
        ValidateMetadata(request.Metadata);
        double? costWeight = request.CostCase == RankModelsRequest.CostOneofCase.CostWeight ? request.CostWeight : null;
        if (costWeight is { } lambda && (!double.IsFinite(lambda) || lambda < 0))
        {
            throw Invalid($"cost_weight must be a finite number ≥ 0, not {lambda}.");
        }

        return new RoutingRequest(request.Query)
        {
            History = history,
            K = k,
            Candidates = [.. request.Candidates],
            Excluded = [.. request.Excluded],
            CostWeight = costWeight,
            IncludeNeighbors = request.IncludeNeighbors,
            Metadata = request.Metadata.Count == 0 ? EmptyMetadata : new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal),
        };
    }

    private OutcomeReport ToOutcomeReport(RecordOutcomeRequest request)
    {
        string? requestId = null;
        string? query = null;
        switch (request.SubjectCase)
        {
            case RecordOutcomeRequest.SubjectOneofCase.RequestId:
                if (string.IsNullOrWhiteSpace(request.RequestId))
                {
                    throw Invalid("request_id must not be empty.");
                }

                ValidateName(request.RequestId, "request_id");
                requestId = request.RequestId;
                break;
            case RecordOutcomeRequest.SubjectOneofCase.Query:
                ValidateQuery(request.Query, "query");
                query = request.Query;
                break;
            default:
                throw Invalid("Either request_id or query is required.");
        }

        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Invalid("model is required.");
        }

        ValidateName(request.Model, "model");

        double score = request.OutcomeCase switch
        {
            RecordOutcomeRequest.OutcomeOneofCase.Success => request.Success ? 1.0 : 0.0,
            RecordOutcomeRequest.OutcomeOneofCase.Score when double.IsFinite(request.Score) && request.Score is >= 0 and <= 1 => request.Score,
            RecordOutcomeRequest.OutcomeOneofCase.Score => throw Invalid($"score must be in [0, 1], not {request.Score}."),
            _ => throw Invalid("Either success or score is required."),
        };
        string? idempotencyKey = null;
        if (request.IdempotencyKey.Length > 0)
        {
            if (request.IdempotencyKey.Length > Outcomes.Outcome.MaxIdempotencyKeyLength || string.IsNullOrWhiteSpace(request.IdempotencyKey))
            {
                throw Invalid($"idempotency_key must be 1 to {Outcomes.Outcome.MaxIdempotencyKeyLength} characters and not blank, not {request.IdempotencyKey.Length}.");
            }

            idempotencyKey = request.IdempotencyKey;
        }

        if (request.HasCostUsd && !(double.IsFinite(request.CostUsd) && request.CostUsd >= 0))
        {
            throw Invalid($"cost_usd must be a finite number >= 0, not {request.CostUsd}.");
        }

        return new OutcomeReport(request.Model, score)
        {
            RequestId = requestId,
            Query = query,
            IdempotencyKey = idempotencyKey,
            CostUsd = request.HasCostUsd ? request.CostUsd : null,
        };
    }

    private InspectRequest ToInspectRequest(InspectNeighborsRequest request)
    {
        ValidateQuery(request.Query, "query");
        return new InspectRequest(request.Query) { History = ToHistory(request.History, request.Query), K = ToK(request.K) };
    }

    private List<string> ToUtterances(AddUtterancesRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Route))
        {
            throw Invalid("route is required.");
        }

        if (request.Utterances.Count == 0)
        {
            throw Invalid("utterances must hold at least one utterance.");
        }

        ValidateName(request.Route, "route");
        if (request.Utterances.Count > _options.MaxUtterancesPerCall)
        {
            throw Invalid($"utterances holds {request.Utterances.Count} utterances; the limit is {_options.MaxUtterancesPerCall} per call.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        for (var i = 0; i < request.Utterances.Count; i++)
        {
            var utterance = request.Utterances[i];
            ValidateQuery(utterance, $"utterances[{i}]");
            total += Encoding.UTF8.GetByteCount(utterance);
            if (total > _options.MaxRequestTextBytes)
            {
                throw Invalid($"utterances hold more than {_options.MaxRequestTextBytes} bytes of UTF-8 in all; the limit is {_options.MaxRequestTextBytes} per request.");
            }

            if (!seen.Add(utterance.Trim()))
            {
                throw new RouterException(RouterErrorCode.AlreadyExists, $"utterances[{i}] is given twice in the request: \"{ErrorMessage.Quote(utterance)}\".");
            }
        }

        return [.. request.Utterances];
    }

    private static string? ToIndexPath(ReloadIndexRequest request)
    {
        string? path = string.IsNullOrWhiteSpace(request.Path) ? null : request.Path;
        if (path is not null && path.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw Invalid("path contains characters that are not allowed in a path.");
        }

        return path;
    }

    private void ValidateQuery(string text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid($"{field} must not be empty or whitespace.");
        }

        // Cheap upper bound first: most queries are far below the limit.
        if (text.Length * 3 > _options.MaxQueryBytes)
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes > _options.MaxQueryBytes)
            {
                throw Invalid($"{field} is {bytes} bytes of UTF-8; the limit is {_options.MaxQueryBytes}.");
            }
        }
    }

    /// <summary>k on the wire: 0 = the router's default (null: the router resolves it), else 1..RankingOptions.MaxK (one maximum k everywhere).</summary>
    private static int? ToK(int k) => k switch
    {
        0 => null,
        < 0 => throw Invalid($"k must be ≥ 1 (or 0 for the router's default), not {k}."),
        > RankingOptions.MaxK => throw Invalid($"k must be at most {RankingOptions.MaxK}, not {k}."),
        _ => k,
    };

    /// <summary>Longest model or route name a request may give (UTF-8 bytes), and most model names in one list.</summary>
    internal const int MaxNameBytes = 256;

    internal const int MaxModelNames = 256;

    /// <summary>Most metadata entries, and the longest key or value (UTF-8 bytes).</summary>
    internal const int MaxMetadataEntries = 64;

    internal const int MaxMetadataBytes = 1024;

    private static void ValidateModelNames(RepeatedField<string> names, string field)
    {
        if (names.Count > MaxModelNames)
        {
            throw Invalid($"{field} holds {names.Count} model names; the limit is {MaxModelNames}.");
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                throw Invalid($"{field}[{i}] must not be empty.");
            }

            ValidateName(names[i], $"{field}[{i}]");
        }
    }

    private static void ValidateName(string name, string field)
    {
        if (name.Length * 3 > MaxNameBytes && Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw Invalid($"{field} is {Encoding.UTF8.GetByteCount(name)} bytes of UTF-8; a name is at most {MaxNameBytes}.");
        }
    }

    private static void ValidateMetadata(MapField<string, string> metadata)
    {
        if (metadata.Count > MaxMetadataEntries)
        {
            throw Invalid($"metadata holds {metadata.Count} entries; the limit is {MaxMetadataEntries}.");
        }

        foreach (var (key, value) in metadata)
        {
            if (Encoding.UTF8.GetByteCount(key) > MaxMetadataBytes || Encoding.UTF8.GetByteCount(value) > MaxMetadataBytes)
            {
                throw Invalid($"metadata entry '{ErrorMessage.Quote(key)}' is longer than {MaxMetadataBytes} bytes of UTF-8 (key or value).");
            }
        }
    }

    // Each turn is embedded, so the number of turns and the text in all are bounded, not just each turn.
    private List<ConversationTurn> ToHistory(RepeatedField<Turn> turns, string query)
    {
        if (turns.Count > _options.MaxHistoryTurns)
        {
            throw Invalid($"history holds {turns.Count} turns; the limit is {_options.MaxHistoryTurns}.");
        }

        var history = new List<ConversationTurn>(turns.Count);
        long total = Encoding.UTF8.GetByteCount(query);
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Text.Length > 0)
            {
                ValidateQuery(turn.Text, $"history[{i}].text");
                total += Encoding.UTF8.GetByteCount(turn.Text);
                if (total > _options.MaxRequestTextBytes)
                {
                    throw Invalid($"query and history hold more than {_options.MaxRequestTextBytes} bytes of UTF-8 in all; the limit is {_options.MaxRequestTextBytes} per request.");
                }
            }

            if (turn.Role.Length > MaxNameBytes)
            {
                throw Invalid($"history[{i}].role is longer than {MaxNameBytes} characters.");
            }

            history.Add(new ConversationTurn(turn.Role, turn.Text));
        }

        return history;
    }

    private static RankModelsResponse ToProto(RoutingDecision decision, bool includeNeighbors)
    {
        var response = new RankModelsResponse
        {
            RequestId = decision.RequestId,
            Match = ToProto(decision.Route),
            IndexVersion = decision.IndexVersion,
        };
        // Best first, whatever the router's order (ties by name, so equal scores come out the same every time).
        foreach (var model in decision.Models.OrderByDescending(m => m.Score).ThenBy(m => m.Model, StringComparer.Ordinal))
        {
            var ranked = new RankedModel { Model = model.Model, Score = model.Score, SuccessEstimate = model.Quality, Cost = model.Cost };
            if (model.TextEstimate is { } text)
            {
                ranked.TextEstimate = text;
            }

            if (model.ExpectedCostUsd is { } usd)
            {
                ranked.ExpectedCostUsd = usd;
            }

            ranked.SupportingRoutes.Add(model.SupportingRoutes);
            response.Models.Add(ranked);
        }

        if (includeNeighbors)
        {
            response.Neighbors.Add(decision.Neighbors.Select(ToProto));
        }

        return response;
    }

    private static InspectNeighborsResponse ToProto(NeighborReport report)
    {
        var response = new InspectNeighborsResponse { Match = ToProto(report.Route), IndexVersion = report.IndexVersion };
        response.Neighbors.Add(report.Neighbors.Select(ToProto));
        return response;
    }

    private static ListRoutesResponse ToProto(RouteListing listing)
    {
        var response = new ListRoutesResponse { IndexVersion = listing.IndexVersion };
        foreach (var route in listing.Routes)
        {
            var info = new RouteInfo
            {
                Name = route.Name,
                Description = route.Description ?? string.Empty,
                UtteranceCount = route.UtteranceCount,
                Threshold = route.Threshold,
            };
            info.Models.Add(route.Models);
            response.Routes.Add(info);
        }

        return response;
    }

    private static RouteMatch ToProto(RouteVerdict verdict) => new()
    {
        Route = verdict.Route,
        Confidence = verdict.Confidence,
        Abstained = verdict.Abstained,
        FallbackRoute = verdict.FallbackRoute ?? string.Empty,
        Threshold = verdict.Threshold,
    };

    private static Neighbor ToProto(NeighborVote neighbor)
    {
        var proto = new Neighbor
        {
            Utterance = neighbor.Utterance,
            Route = neighbor.Route,
            Similarity = neighbor.Similarity,
            Weight = neighbor.Weight,
        };
        if (neighbor.Models is { } models)
        {
            foreach (var m in models)
            {
                proto.Models.Add(new ModelStats { Model = m.Model, Successes = m.Successes, Trials = m.Trials, Estimate = m.Estimate });
            }
        }

        return proto;
    }
}
