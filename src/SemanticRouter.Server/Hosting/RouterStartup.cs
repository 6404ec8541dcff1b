using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Opens the router before the server listens (hosted services start before Kestrel), so that a bad index or
/// model stops start-up instead of failing the first call; then reports the index to <c>/metrics</c> and marks
/// the server ready. At shutdown it marks it not ready first, so health checks turn NOT_SERVING while
/// in-flight calls drain.
/// </summary>
internal sealed class RouterStartup(IServiceProvider services, RouterReadiness readiness, RouterMetrics metrics, IHostApplicationLifetime lifetime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var router = services.GetRequiredService<ISemanticRouter>();
        services.GetRequiredService<ISemanticRouterAdmin>();
        var listing = await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
        metrics.SetIndex(listing.IndexVersion, listing.Routes.Sum(r => r.UtteranceCount));
        readiness.MarkReady();
        lifetime.ApplicationStopping.Register(() => readiness.MarkNotReady("shutting down"));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
