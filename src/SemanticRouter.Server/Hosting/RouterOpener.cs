using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SemanticRouter.Server.Composition;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Opens the router before the server listens (hosted services start before Kestrel), so that a bad index or
/// model stops start-up instead of failing the first call; then reports the index and the model to <c>/metrics</c>
/// and the health details, and marks the server ready. At shutdown it marks it not ready first, so health checks
/// turn NOT_SERVING while in-flight calls drain.
/// </summary>
internal sealed class RouterOpener(IServiceProvider services, RouterReadiness readiness, RouterMetrics metrics, IHostApplicationLifetime lifetime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var router = services.GetRequiredService<ISemanticRouter>();
        services.GetRequiredService<ISemanticRouterAdmin>();
        var listing = await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
        metrics.SetIndex(listing.IndexVersion, listing.Routes.Sum(r => r.UtteranceCount));
        // Only a server that runs the engine knows its model (a router brought by the caller may have none).
        if (services.GetService<EngineStack>()?.Model is { } model)
        {
            metrics.SetModel(model);
            readiness.SetDetails(new Dictionary<string, object>
            {
                ["model"] = model.Name,
                ["model_sha256"] = model.Sha256,
                ["intra_op_threads"] = model.IntraOpThreads,
            });
        }

        readiness.MarkReady();
        lifetime.ApplicationStopping.Register(() => readiness.MarkNotReady("shutting down"));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
