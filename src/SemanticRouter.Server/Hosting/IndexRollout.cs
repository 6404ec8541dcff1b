using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Artifacts;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Index roll-out to replicas: every <see cref="EngineHostOptions.IndexWatchSeconds"/> it reads the index
/// version that the configured index directory's manifest names and, when it is not the one serving,
/// reloads the configured index (verified, every checksum; in-flight calls finish on the old one, so no call
/// fails). An artefact that does not verify (still being copied, corrupt, another model) is refused, logged
/// once per version, and tried again at the next tick while the old index keeps serving. `build` publishes
/// atomically (the directory is swapped whole), so a replica watching it never sees half an index.
/// </summary>
internal sealed class IndexRollout(
    IOptions<EngineHostOptions> options,
    ISemanticRouter router,
    ISemanticRouterAdmin admin,
    RouterMetrics metrics,
    ILogger<IndexRollout> logger) : BackgroundService
{
    private string? _refused;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var engine = options.Value;
        if (engine.IndexWatchSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(engine.IndexWatchSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await CheckAsync(engine.Index, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reloads when the published version differs from the serving one; returns the version now serving.</summary>
    internal async Task CheckAsync(string index, CancellationToken cancellationToken)
    {
        string published;
        try
        {
            published = RouterArtifact.ReadManifest(index).IndexVersion;
        }
        catch (Exception e) when (e is ArtifactException or IOException or UnauthorizedAccessException)
        {
            return; // nothing (complete) published there right now; the old index keeps serving
        }

        var serving = (await router.ListRoutesAsync(cancellationToken).ConfigureAwait(false)).IndexVersion;
        // "v+3": version v with utterances added in place since; still version v's artefact.
        var servingBase = serving.Split('+')[0];
        if (published == servingBase || published == _refused)
        {
            return;
        }

        try
        {
            var reloaded = await admin.ReloadIndexAsync(null, cancellationToken).ConfigureAwait(false);
            metrics.RecordReload(succeeded: true);
            metrics.SetIndex(reloaded.IndexVersion, reloaded.UtteranceCount);
            ServerLog.IndexRolledOut(logger, reloaded.PreviousIndexVersion, reloaded.IndexVersion, reloaded.UtteranceCount);
            _refused = null;
        }
        catch (RouterException e)
        {
            metrics.RecordReload(succeeded: false);
            _refused = published;
            ServerLog.IndexRolloutRefused(logger, published, e.Message);
        }
    }
}
