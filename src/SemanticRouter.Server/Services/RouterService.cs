using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Services;

/// <summary>
/// The Router gRPC service, the server's one mapping layer: it checks what the wire shape says on its own
/// (empty or oversize text, k, score and cost ranges), maps proto to the router contract and back
/// (<c>RouterService.Mapping.cs</c>), records outcomes and timings in <c>/metrics</c> (admin calls go through <see cref="AdminActions"/>, which logs and counts them), and maps every
/// error to a status in one place (<see cref="ToRpcException"/>). It serves any <see cref="ISemanticRouter"/> and
/// <see cref="ISemanticRouterAdmin"/>: the engine in production, a fake in the tests.
/// Bound by <see cref="RouterServiceMethodProvider"/> (one public method per RPC, same name and signature as the
/// generated base), which rejects unparsable request bytes with INVALID_ARGUMENT. Cross-cutting policy that must
/// run before any work (authentication, the admin key, limits; not idempotency, which the outcome store keeps) belongs in
/// interceptors registered in <see cref="RouterServices.AddSemanticRouterServer"/>, not here.
/// </summary>
internal sealed partial class RouterService(
    ISemanticRouter router,
    AdminActions adminActions,
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
        Func<RouterService, TRequest, CancellationToken, Task<TResponse>> core)
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

    /// <summary>The one place where router and validation errors become status codes.</summary>
    private RpcException ToRpcException(Exception exception, ServerCallContext context)
    {
        var method = context.Method;
        switch (exception)
        {
            case RouterException refused:
                // Bounded and on one line, whatever input the message quotes: the status and the log stay small.
                var code = StatusOf(refused.Code);
                var message = ErrorMessage.OneLine(refused.Message);
                ServerLog.CallRejected(logger, method, code, message);
                return new RpcException(new Status(code, message));

            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                var cancelled = DeadlinePassed(context) ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
                ServerLog.CallCancelled(logger, method, cancelled);
                return new RpcException(new Status(cancelled, cancelled == StatusCode.DeadlineExceeded
                    ? "The call's deadline passed before the server finished."
                    : "The call was cancelled by the client."));

            default:
                ServerLog.CallFailed(logger, method, exception);
                return new RpcException(new Status(StatusCode.Internal, _options.EnableDetailedErrors
                    ? ErrorMessage.OneLine($"Internal error: {exception.GetType().Name}: {exception.Message}")
                    : "Internal error; the server log has the details."));
        }
    }

    /// <summary>Each <see cref="RouterErrorCode"/> is the gRPC status of the same name.</summary>
    internal static StatusCode StatusOf(RouterErrorCode code) => code switch
    {
        RouterErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        RouterErrorCode.NotFound => StatusCode.NotFound,
        RouterErrorCode.AlreadyExists => StatusCode.AlreadyExists,
        RouterErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        RouterErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
        RouterErrorCode.Unavailable => StatusCode.Unavailable,
        RouterErrorCode.PermissionDenied => StatusCode.PermissionDenied,
        RouterErrorCode.Unauthenticated => StatusCode.Unauthenticated,
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// True when the call ended because of its deadline: the server's deadline timer fired, or the
    /// client aborted within clock-skew tolerance of the deadline (its own timer fired first).
    /// </summary>
    internal static bool DeadlinePassed(ServerCallContext context) =>
        context.Deadline != DateTime.MaxValue && context.Deadline <= DateTime.UtcNow.AddMilliseconds(250);

    private async Task<RankModelsResponse> RankCoreAsync(RankModelsRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var decision = await router.RankAsync(ToRoutingRequest(request), cancellationToken).ConfigureAwait(false);
        var response = ToProto(decision, request.IncludeNeighbors);
        metrics.SetIndex(decision.IndexVersion);
        metrics.RecordRanking(decision.Route.Route, decision.Route.Abstained, decision.BestModel);
        if (decision.Timings is { } timings)
        {
            metrics.ObserveEmbedding(timings.Embedding);
            metrics.ObserveSearch(timings.Search);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            ServerLog.Ranked(logger, decision.RequestId, response.Models.Count, decision.Route.Route, decision.Route.Abstained, elapsedMs);
        }

        return response;
    }

    private async Task<RecordOutcomeResponse> RecordOutcomeCoreAsync(RecordOutcomeRequest request, CancellationToken cancellationToken)
    {
        var report = ToOutcomeReport(request);
        var receipt = await router.RecordOutcomeAsync(report, cancellationToken).ConfigureAwait(false);
        // Counted here and nowhere else: the router does not know /metrics. A replay counted nothing.
        if (!receipt.Replayed)
        {
            metrics.RecordOutcome(report.Model, report.Score);
        }

        return new RecordOutcomeResponse { Durable = true, RequestId = receipt.RequestId, Replayed = receipt.Replayed };
    }

    private async Task<InspectNeighborsResponse> InspectCoreAsync(InspectNeighborsRequest request, CancellationToken cancellationToken)
    {
        var report = await router.InspectNeighborsAsync(ToInspectRequest(request), cancellationToken).ConfigureAwait(false);
        return ToProto(report);
    }

    private async Task<ListRoutesResponse> ListRoutesCoreAsync(CancellationToken cancellationToken)
    {
        var listing = await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
        metrics.SetIndex(listing.IndexVersion, listing.Routes.Sum(r => r.UtteranceCount));
        return ToProto(listing);
    }

    private async Task<AddUtterancesResponse> AddUtterancesCoreAsync(AddUtterancesRequest request, CancellationToken cancellationToken)
    {
        var added = await adminActions.AddUtterancesAsync(request.Route, ToUtterances(request), cancellationToken).ConfigureAwait(false);
        return new AddUtterancesResponse { Added = added.Added, IndexVersion = added.IndexVersion };
    }

    private async Task<ReloadIndexResponse> ReloadCoreAsync(ReloadIndexRequest request, CancellationToken cancellationToken)
    {
        var result = await adminActions.ReloadAsync(ToIndexPath(request), cancellationToken).ConfigureAwait(false);
        return new ReloadIndexResponse
        {
            IndexVersion = result.IndexVersion,
            PreviousIndexVersion = result.PreviousIndexVersion,
            UtteranceCount = result.UtteranceCount,
            RouteCount = result.RouteCount,
        };
    }
}
