using SemanticRouter.Artifacts;
using SemanticRouter.Routes;

namespace SemanticRouter.Engine;

/// <summary>Changing what is served: utterances added live, and the index reloaded.</summary>
public sealed partial class RouterEngine
{
    /// <summary>
    /// Appends utterances to the route file that holds the route (other content kept intact), then
    /// embeds and inserts them into the live index — no rebuild. The artefact on disk is rewritten
    /// so a restart serves them too.
    /// </summary>
    /// <exception cref="RouteEditException">Unknown route, duplicate or empty utterance.</exception>
    /// <exception cref="RouterException">FAILED_PRECONDITION: a reloaded index names other route files than the engine started with.</exception>
    public async Task<RouteEditResult> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(utterances);
        foreach (string u in utterances)
        {
            ValidateText(u, "utterance");
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (!snapshot.Catalog.ContainsRoute(route))
            {
                throw new RouteEditException(RouteEditErrorKind.UnknownRoute, $"unknown route '{route}'");
            }

            string routesDir = snapshot.Artifact.Manifest.Routes.Directory;
            if (!string.Equals(Path.GetFullPath(routesDir), _routesDirectory, StringComparison.Ordinal))
            {
                // A manifest's route directory is covered by no checksum; an index reloaded from elsewhere
                // must not make this engine write route files it did not start with.
                throw new RouterException(RouterErrorCode.FailedPrecondition,
                    "the index served since the last reload was built from other route files than the index the router started on; AddUtterances writes only to the route files it started with (restart on the new index to add to its routes).");
            }

            var edit = RouteFileEditor.AddUtterances(routesDir, route, utterances);
            var catalog = RouteCatalog.Load(routesDir);
            var added = edit.Added;
            if (added.Count > 0)
            {
                var embeddings = await _embedder.GenerateAsync(added, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                int dims = snapshot.Index.Dimensions;
                float[] vectors = new float[added.Count * dims];
                for (int i = 0; i < added.Count; i++)
                {
                    embeddings[i].Vector.Span.CopyTo(vectors.AsSpan(i * dims, dims));
                }

                snapshot.Gate.EnterWriteLock();
                try
                {
                    snapshot.AddUtterances(route, added, vectors, catalog);
                }
                finally
                {
                    snapshot.Gate.ExitWriteLock();
                }

                Persist(snapshot);
            }

            return edit;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Loads the artefact at <paramref name="indexDirectory"/> (default: the configured one) and swaps
    /// it in. A corrupt or mismatched artefact, or one without the configured fallback route, throws
    /// and the old index keeps serving.
    /// </summary>
    /// <exception cref="ArtifactException">The new artefact is refused.</exception>
    public async Task<string> ReloadAsync(string? indexDirectory = null, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string directory = indexDirectory ?? _options.IndexDirectory;
            var artifact = await Task.Run(() => RouterArtifact.Load(directory, _modelFingerprint), cancellationToken).ConfigureAwait(false);
            RouterSnapshot fresh;
            try
            {
                fresh = new RouterSnapshot(artifact, ResolveSettings(artifact));
            }
            catch (ArgumentException e)
            {
                // The artefact is sound but does not fit the engine's settings (e.g. it lacks the
                // configured fallback route): refuse it like a corrupt one; the old index keeps serving.
                throw new ArtifactException(directory, ErrorMessage.Of(e), e);
            }

            Volatile.Write(ref _snapshot, fresh);
            return fresh.Version;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    // Rewrites the artefact from the live snapshot, so a restart (or `build`, which then finds the
    // routes unchanged) serves the added utterances without re-embedding anything.
    private static void Persist(RouterSnapshot snapshot)
    {
        var old = snapshot.Artifact.Manifest;
        var catalog = snapshot.Catalog;
        snapshot.Gate.EnterReadLock();
        try
        {
            ArtifactWriter.Write(snapshot.Artifact.Directory, new ArtifactWriter.Contents(
                old.Model,
                old.Routes with { Hash = catalog.ContentHash },
                old.Hnsw,
                new ArtifactCounts(catalog.Routes.Count, snapshot.UtteranceCount, catalog.Models.Count),
                IndexBuilder.IndexVersionOf(catalog.ContentHash + IndexBuilder.SettingsFingerprint(snapshot.Artifact.RankingSettings) + IndexBuilder.LongInputFingerprint(old.Model.LongInput), old.Model.Fingerprint, old.Hnsw),
                catalog.Files,
                snapshot.Utterances,
                snapshot.Index,
                snapshot.Head,
                snapshot.Artifact.RankingSettings));
        }
        finally
        {
            snapshot.Gate.ExitReadLock();
        }
    }
}
