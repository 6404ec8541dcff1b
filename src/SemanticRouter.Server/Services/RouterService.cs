using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Engine;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Services;

// The contract (namespace SemanticRouter) has records of the same names; these are the backend's.
using ConversationTurn = SemanticRouter.Server.Engine.ConversationTurn;
using OutcomeReport = SemanticRouter.Server.Engine.OutcomeReport;

/// <summary>
/// The Router gRPC service: validates the request's shape, maps proto to the engine's records and
/// back, and maps every engine error to a status code in one place (<see cref="ToRpcException"/>).
/// Bound by <see cref="RouterServiceMethodProvider"/> (one public method per RPC, same name and
/// signature as the generated base), which rejects unparsable request bytes with INVALID_ARGUMENT.
/// </summary>
internal sealed partial class RouterService(
    IRouterBackend backend,
    IOptions<RouterServerOptions> options,
    RouterMetrics metrics,
    ILogger<RouterService> logger)
{
    private readonly RouterServerOptions _options = options.Value;

    public Task<RankModelsResponse> RankModels(RankModelsRequest request, ServerCallContext context) =>
        InvokeAsync(request, context, static (self, r, ct) => self.RankCoreAsync(r, ct));

    public Task<RecordOutcomeResponse> RecordOutcome(RecordOutcomeRequest request, ServerCallContext context) =>
        InvokeAsync(request, context, static (self, r, ct) => self.RecordOutcomeCoreAsync(r, ct));

    public Task<InspectNeighborsResponse> InspectNeighbors(InspectNeighborsRequest request, ServerCallContext context) =>
        InvokeAsync(request, context, static (self, r, ct) => self.InspectCoreAsync(r, ct));

    public Task<ListRoutesResponse> ListRoutes(ListRoutesRequest request, ServerCallContext context) =>
        InvokeAsync(request, context, static (self, _, ct) => self.ListRoutesCoreAsync(ct));

    public Task<AddUtterancesResponse> AddUtterances(AddUtterancesRequest request, ServerCallContext context) =>
        InvokeAsync(request, context, static (self, r, ct) => self.AddUtterancesCoreAsync(r, ct));

    public Task<ReloadIndexResponse> ReloadIndex(ReloadIndexRequest request, ServerCallContext context) =>
        InvokeAsync(request, context, static (self, r, ct) => self.ReloadCoreAsync(r, ct));

    private async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        Func<RouterService, TRequest, CancellationToken, ValueTask<TResponse>> core)
    {
        try
        {
            return await core(this, request, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw ToRpcException(ex, context);
        }
    }

    /// <summary>The one place where engine and validation errors become status codes.</summary>
    private RpcException ToRpcException(Exception exception, ServerCallContext context)
    {
        var method = context.Method;
        switch (exception)
        {
            case RouterInputException input:
                var code = input.Kind switch
                {
                    RouterErrorKind.InvalidArgument or RouterErrorKind.UnknownModel or RouterErrorKind.ScoreOutOfRange => StatusCode.InvalidArgument,
                    RouterErrorKind.UnknownRoute or RouterErrorKind.UnknownRequestId or RouterErrorKind.NotFound => StatusCode.NotFound,
                    RouterErrorKind.DuplicateUtterance => StatusCode.AlreadyExists,
                    RouterErrorKind.CorruptArtifact => StatusCode.FailedPrecondition,
                    RouterErrorKind.NotReady => StatusCode.Unavailable,
                    _ => StatusCode.InvalidArgument,
                };
                ServerLog.CallRejected(logger, method, code, input.Message);
                return new RpcException(new Status(code, input.Message));

            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                var cancelled = DeadlinePassed(context) ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
                ServerLog.CallCancelled(logger, method, cancelled);
                return new RpcException(new Status(cancelled, cancelled == StatusCode.DeadlineExceeded
                    ? "The call's deadline passed before the server finished."
                    : "The call was cancelled by the client."));

            default:
                ServerLog.CallFailed(logger, method, exception);
                return new RpcException(new Status(StatusCode.Internal, _options.EnableDetailedErrors
                    ? $"Internal error: {exception.GetType().Name}: {exception.Message}"
                    : "Internal error; the server log has the details."));
        }
    }

    /// <summary>
    /// True when the call ended because of its deadline: the server's deadline timer fired, or the
    /// client aborted within clock-skew tolerance of the deadline (its own timer fired first).
    /// </summary>
    internal static bool DeadlinePassed(ServerCallContext context) =>
        context.Deadline != DateTime.MaxValue && context.Deadline <= DateTime.UtcNow.AddMilliseconds(250);

    private async ValueTask<RankModelsResponse> RankCoreAsync(RankModelsRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ValidateQuery(request.Query, "query");
        var history = ToHistory(request.History);
        var k = ResolveK(request.K);
        ValidateModelNames(request.Candidates, "candidates");
        ValidateModelNames(request.Excluded, "excluded");
        double? costWeight = request.CostCase == RankModelsRequest.CostOneofCase.CostWeight ? request.CostWeight : null;
        if (costWeight is { } lambda && (!double.IsFinite(lambda) || lambda < 0))
        {
            throw Invalid($"cost_weight must be a finite number ≥ 0, not {lambda}.");
        }

        var query = new RankQuery(request.Query, history, k, [.. request.Candidates], [.. request.Excluded], costWeight,
            request.IncludeNeighbors, request.Metadata.Count == 0 ? EmptyMetadata : new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal));
        var result = await backend.RankAsync(query, cancellationToken).ConfigureAwait(false);

        var response = new RankModelsResponse
        {
            RequestId = result.RequestId,
            Match = ToProto(result.Match),
            IndexVersion = result.IndexVersion,
        };
        foreach (var model in result.Models.OrderByDescending(m => m.Score).ThenBy(m => m.Model, StringComparer.Ordinal))
        {
            var ranked = new RankedModel { Model = model.Model, Score = model.Score, SuccessEstimate = model.SuccessEstimate, Cost = model.Cost };
            if (model.TextEstimate is { } text)
            {
                ranked.TextEstimate = text;
            }

            ranked.SupportingRoutes.Add(model.SupportingRoutes);
            response.Models.Add(ranked);
        }

        if (request.IncludeNeighbors)
        {
            response.Neighbors.Add(result.Neighbors.Select(ToProto));
        }

        metrics.SetIndex(result.IndexVersion);
        if (result.Timings is { } timings)
        {
            metrics.ObserveEmbedding(timings.Embedding);
            metrics.ObserveSearch(timings.Search);
        }

        if (result.EmbeddingCacheHit is { } hit)
        {
            metrics.RecordCacheLookup(hit);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            ServerLog.Ranked(logger, result.RequestId, response.Models.Count, result.Match.Route, result.Match.Abstained, elapsedMs);
        }
        return response;
    }

    private async ValueTask<RecordOutcomeResponse> RecordOutcomeCoreAsync(RecordOutcomeRequest request, CancellationToken cancellationToken)
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

        bool? success = null;
        double? score = null;
        switch (request.OutcomeCase)
        {
            case RecordOutcomeRequest.OutcomeOneofCase.Success:
                success = request.Success;
                break;
            case RecordOutcomeRequest.OutcomeOneofCase.Score:
                if (!double.IsFinite(request.Score) || request.Score is < 0 or > 1)
                {
                    throw new RouterInputException(RouterErrorKind.ScoreOutOfRange, $"score must be in [0, 1], not {request.Score}.");
                }

                score = request.Score;
                break;
            default:
                throw Invalid("Either success or score is required.");
        }

        var report = new OutcomeReport(requestId, query, request.Model, success, score);
        var receipt = await backend.RecordOutcomeAsync(report, cancellationToken).ConfigureAwait(false);
        metrics.RecordOutcome(request.Model, report.Value);
        return new RecordOutcomeResponse { Durable = true, RequestId = receipt.RequestId };
    }

    private async ValueTask<InspectNeighborsResponse> InspectCoreAsync(InspectNeighborsRequest request, CancellationToken cancellationToken)
    {
        ValidateQuery(request.Query, "query");
        var inspection = await backend.InspectNeighborsAsync(
            new InspectQuery(request.Query, ToHistory(request.History), ResolveK(request.K)), cancellationToken).ConfigureAwait(false);
        var response = new InspectNeighborsResponse { Match = ToProto(inspection.Match), IndexVersion = inspection.IndexVersion };
        response.Neighbors.Add(inspection.Neighbors.Select(ToProto));
        return response;
    }

    private async ValueTask<ListRoutesResponse> ListRoutesCoreAsync(CancellationToken cancellationToken)
    {
        var listing = await backend.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
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

        metrics.SetIndex(listing.IndexVersion, listing.Routes.Sum(r => r.UtteranceCount));
        return response;
    }

    private async ValueTask<AddUtterancesResponse> AddUtterancesCoreAsync(AddUtterancesRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Route))
        {
            throw Invalid("route is required.");
        }

        if (request.Utterances.Count == 0)
        {
            throw Invalid("utterances must hold at least one utterance.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Utterances.Count; i++)
        {
            var utterance = request.Utterances[i];
            ValidateQuery(utterance, $"utterances[{i}]");
            if (!seen.Add(utterance.Trim()))
            {
                throw new RouterInputException(RouterErrorKind.DuplicateUtterance, $"utterances[{i}] is given twice in the request: \"{Abbreviate(utterance)}\".");
            }
        }

        var added = await backend.AddUtterancesAsync(request.Route, [.. request.Utterances], cancellationToken).ConfigureAwait(false);
        ServerLog.UtterancesAdded(logger, added.Added, request.Route, added.IndexVersion);
        metrics.SetIndex(added.IndexVersion);
        return new AddUtterancesResponse { Added = added.Added, IndexVersion = added.IndexVersion };
    }

    private async ValueTask<ReloadIndexResponse> ReloadCoreAsync(ReloadIndexRequest request, CancellationToken cancellationToken)
    {
        string? path = string.IsNullOrWhiteSpace(request.Path) ? null : request.Path;
        if (path is not null && path.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw Invalid("path contains characters that are not allowed in a path.");
        }

        ReloadResult result;
        try
        {
            result = await backend.ReloadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (RouterInputException ex)
        {
            metrics.RecordReload(succeeded: false);
            ServerLog.IndexReloadRejected(logger, path ?? "(configured)", ex.Message);
            throw;
        }

        metrics.RecordReload(succeeded: true);
        metrics.SetIndex(result.IndexVersion, result.UtteranceCount);
        ServerLog.IndexReloaded(logger, path ?? "(configured)", result.PreviousIndexVersion, result.IndexVersion, result.UtteranceCount, result.RouteCount);
        if (result.RankingSettingsChanged)
        {
            ServerLog.RankingSettingsNotApplied(logger, path ?? "(configured)", result.IndexVersion);
        }
        return new ReloadIndexResponse
        {
            IndexVersion = result.IndexVersion,
            PreviousIndexVersion = result.PreviousIndexVersion,
            UtteranceCount = result.UtteranceCount,
            RouteCount = result.RouteCount,
        };
    }
}
