using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace SemanticRouter.Server.Metrics;

/// <summary>
/// Counts every unary call by method and final status code, and times it; at Debug, logs one line per call
/// (event 17 CallCompleted: method, status, time, peer; docs/operations.md says how to turn it on).
/// </summary>
internal sealed class CallMetricsInterceptor(RouterMetrics metrics, ILogger<CallMetricsInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            code = Services.RouterService.DeadlinePassed(context) ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
            throw;
        }
        catch
        {
            code = StatusCode.Internal;
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var method = MethodName(context.Method);
            var status = code.ToString();
            metrics.RecordCall(method, status, elapsed);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                var peer = context.Peer;
                ServerLog.CallCompleted(logger, method, status, elapsed.TotalMilliseconds, peer);
            }
        }
    }

    // "/semantic_router.v1.Router/RankModels" -> "semantic_router.v1.Router/RankModels"
    private static string MethodName(string method) => method.StartsWith('/') ? method[1..] : method;
}
