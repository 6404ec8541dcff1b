using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace SemanticRouter.Server.Metrics;

/// <summary>Counts every unary call by method and final status code, and times it.</summary>
internal sealed class CallMetricsInterceptor(RouterMetrics metrics) : Interceptor
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
            metrics.RecordCall(MethodName(context.Method), code.ToString(), Stopwatch.GetElapsedTime(started));
        }
    }

    // "/semantic_router.v1.Router/RankModels" -> "semantic_router.v1.Router/RankModels"
    private static string MethodName(string method) => method.StartsWith('/') ? method[1..] : method;
}
