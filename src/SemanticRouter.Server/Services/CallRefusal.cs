using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Services;

/// <summary>
/// The one way middleware in front of grpc-dotnet refuses a call before its message is read (the key check, the
/// shutdown gate): the status as a trailers-only response (<see cref="GrpcStatus.WriteTrailersOnlyAsync"/>), counted in
/// <c>/metrics</c> like every call that gets further (<c>semantic_router_grpc_calls_total</c> by method and code), so an
/// operator sees refused traffic. Calls the interceptors refuse (the call limit) are counted by <c>CallMetricsInterceptor</c>.
/// </summary>
internal sealed class CallRefusal(RouterMetrics metrics)
{
    /// <summary>Answers the call with <paramref name="code"/> and <paramref name="message"/> and counts it under its method.</summary>
    public Task RefuseAsync(HttpContext context, StatusCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        var written = GrpcStatus.WriteTrailersOnlyAsync(context, code, message);
        metrics.RecordCall(GrpcStatus.MethodLabel(context), code.ToString(), Stopwatch.GetElapsedTime(started));
        return written;
    }
}
