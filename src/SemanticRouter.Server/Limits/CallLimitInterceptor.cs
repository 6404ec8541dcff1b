using System.Threading.RateLimiting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Services;

namespace SemanticRouter.Server.Limits;

/// <summary>
/// Bounds the Router calls worked on at once (<see cref="RouterServerOptions.MaxConcurrentCalls"/>) and those
/// waiting for a slot (<see cref="RouterServerOptions.MaxQueuedCalls"/>, oldest first, each until its deadline or
/// cancellation), so a burst of heavy calls cannot take every thread and starve the rest: a call that finds the
/// queue full gets RESOURCE_EXHAUSTED at once. Per-request work is bounded by the request limits
/// (history turns, text bytes, utterances: <c>RouterService.Mapping.cs</c>).
/// </summary>
internal sealed class CallLimitInterceptor : Interceptor, IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly string _busy;

    public CallLimitInterceptor(IOptions<RouterServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = o.MaxConcurrentCalls,
            QueueLimit = o.MaxQueuedCalls,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _busy = $"the server is busy: {o.MaxConcurrentCalls} calls in progress and {o.MaxQueuedCalls} waiting; retry later.";
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(1, context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            var code = RouterService.DeadlinePassed(context) ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
            throw new RpcException(new Status(code, "The call ended while it waited for a free slot."));
        }

        using (lease)
        {
            if (!lease.IsAcquired)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, _busy));
            }

            return await continuation(request, context).ConfigureAwait(false);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
