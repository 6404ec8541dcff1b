using Microsoft.Extensions.Logging;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Services;

/// <summary>
/// The web page's admin operations over <see cref="ISemanticRouterAdmin"/>: each is logged and counted in
/// <c>/metrics</c> with the same events and counters as <c>RouterService</c>'s AddUtterances and ReloadIndex.
/// </summary>
internal sealed class AdminActions(ISemanticRouterAdmin admin, RouterMetrics metrics, ILogger<AdminActions> logger)
{
    /// <summary>Adds utterances to a route (all or nothing), then logs it and moves the index gauge.</summary>
    public async Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken)
    {
        var added = await admin.AddUtterancesAsync(route, utterances, cancellationToken).ConfigureAwait(false);
        ServerLog.UtterancesAdded(logger, added.Added, route, added.IndexVersion);
        metrics.SetIndex(added.IndexVersion);
        return added;
    }

    /// <summary>Reloads the index (<paramref name="path"/> null = the configured one); counts and logs the result either way.</summary>
    public async Task<IndexReloaded> ReloadAsync(string? path, CancellationToken cancellationToken)
    {
        IndexReloaded result;
        try
        {
            result = await admin.ReloadIndexAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (RouterException ex)
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

        return result;
    }
}
