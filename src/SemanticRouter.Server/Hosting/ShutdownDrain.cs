using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using SemanticRouter.Server.Services;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Stopping, in the server's own order: from the moment the host starts stopping
/// (<see cref="IHostApplicationLifetime.ApplicationStopping"/>: SIGTERM, Ctrl+C) every new gRPC call is refused with
/// UNAVAILABLE "server is shutting down" (counted in <c>/metrics</c>) while the calls already in flight run on; the
/// listener stays open until they have finished or <see cref="RouterServerOptions.ShutdownTimeout"/> has passed, and only
/// then does Kestrel stop (closing its ports, cutting what is left). So a client never races a half-closed listener: it
/// gets one clear status, retryable elsewhere.
/// grpc.health.v1 still answers (NOT_SERVING from the same moment: <see cref="RouterReadiness"/>), so a load balancer
/// sees the replica drain rather than fail. Middleware (mapped first, in <c>RouterHost.MapSemanticRouter</c>) and a
/// lifecycle service: the host runs every <see cref="StoppingAsync"/> before it stops any service, the web server included.
/// </summary>
internal sealed class ShutdownDrain(IHostApplicationLifetime lifetime, CallRefusal refusal) : IMiddleware, IHostedLifecycleService
{
    /// <summary>The status message of a call refused while stopping.</summary>
    public const string Message = "server is shutting down";

    private const string HealthService = "/grpc.health.v1.Health";

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _stopping;

    private bool Stopping => _stopping || lifetime.ApplicationStopping.IsCancellationRequested;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!GrpcStatus.IsGrpc(context) || context.Request.Path.StartsWithSegments(HealthService, StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // Counted before the check: a call that sees "not stopping" is already counted when the drain looks.
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Stopping)
            {
                await refusal.RefuseAsync(context, StatusCode.Unavailable, Message).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && Stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Refuses new calls and waits for those in flight (until the host's shutdown timeout cancels the wait).</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        // The host signals ApplicationStopping only after every StoppingAsync; signal it now (a second signal does
        // nothing), so health turns NOT_SERVING and the drain is logged while the calls drain, not after.
        lifetime.StopApplication();
        if (Volatile.Read(ref _inFlight) == 0)
        {
            return;
        }

        try
        {
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout passed: Kestrel's stop, with the same expired token, cuts what is left.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
