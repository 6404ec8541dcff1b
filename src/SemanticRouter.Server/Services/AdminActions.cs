using Microsoft.Extensions.Logging;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Services;

/// <summary>
/// The server's admin operations over <see cref="ISemanticRouterAdmin"/>, for the AddUtterances and ReloadIndex RPCs
/// (<c>RouterService</c>) and the web page alike: each is logged and counted in <c>/metrics</c> here and nowhere else,
/// and a reload is confined to the index root (<see cref="IndexRoot"/>), its errors naming paths relative to it.
/// </summary>
internal sealed class AdminActions(ISemanticRouterAdmin admin, IndexRoot indexRoot, RouterMetrics metrics, ILogger<AdminActions> logger)
{
    private const string Configured = "(configured)";

    /// <summary>Adds utterances to a route (all or nothing), then logs it and moves the index gauge.</summary>
    public async Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken)
    {
        var added = await admin.AddUtterancesAsync(route, utterances, cancellationToken).ConfigureAwait(false);
        ServerLog.UtterancesAdded(logger, added.Added, route, added.IndexVersion);
        metrics.SetIndex(added.IndexVersion);
        return added;
    }

    /// <summary>
    /// Reloads the index: the configured one when <paramref name="path"/> is null, else that directory, which must lie
    /// under the index root. Counts and logs the result either way; a refusal's message names paths relative to the root.
    /// </summary>
    public async Task<IndexReloaded> ReloadAsync(string? path, CancellationToken cancellationToken)
    {
        IndexReloaded result;
        try
        {
            result = await admin.ReloadIndexAsync(path is null ? null : indexRoot.Resolve(path), cancellationToken).ConfigureAwait(false);
        }
        catch (RouterException ex)
        {
            metrics.RecordReload(succeeded: false);
            ServerLog.IndexReloadRejected(logger, ErrorMessage.Quote(path ?? Configured), ErrorMessage.OneLine(ex.Message));
            throw new RouterException(ex.Code, indexRoot.Sanitize(ex.Message), ex);
        }

        metrics.RecordReload(succeeded: true);
        metrics.SetIndex(result.IndexVersion, result.UtteranceCount);
        string shown = ErrorMessage.Quote(path ?? Configured);
        ServerLog.IndexReloaded(logger, shown, result.PreviousIndexVersion, result.IndexVersion, result.UtteranceCount, result.RouteCount);
        if (result.RankingSettingsChanged)
        {
            ServerLog.RankingSettingsNotApplied(logger, shown, result.IndexVersion);
        }

        return result;
    }
}
