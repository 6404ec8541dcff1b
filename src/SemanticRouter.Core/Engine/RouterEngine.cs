using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;
using SemanticRouter.Artifacts;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;

namespace SemanticRouter.Engine;

/// <summary>
/// The router in one object: embed a query, search its neighbours, rank target models, remember the
/// decision for outcomes, learn from outcomes, add utterances, reload the index. Knows nothing of
/// gRPC or ASP.NET; the server and the CLI are thin shells over it.
/// </summary>
/// <remarks>Thread-safe: any number of concurrent calls; reload swaps the whole snapshot atomically and
/// in-flight calls finish on the snapshot they started with.</remarks>
public sealed partial class RouterEngine : IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly string _modelFingerprint;
    private readonly RouterEngineOptions _options;
    private readonly RankingOptions _ranking;
    private readonly double? _routeHeadWeight;
    private readonly RankingSettingsFile? _startSettings;
    private readonly RequestLog _requests;
    private readonly OutcomeStore _outcomes;
    private readonly TextModelTrainer? _text;

    /// <summary>Longest query text the request log keeps for the text outcome model (4,096 chars: 8 KiB).</summary>
    private const int MaxRememberedTextChars = 4096;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private RouterSnapshot _snapshot;

    /// <summary>Opens the artefact (verified; the model fingerprint must match) and the outcome store.</summary>
    /// <exception cref="ArtifactException">The artefact is missing, corrupt or built with another model.</exception>
    public RouterEngine(RouterEngineOptions options, IEmbeddingGenerator<string, Embedding<float>> embedder, string modelFingerprint)
        : this(options, embedder, modelFingerprint, loaded: null)
    {
    }

    /// <summary>
    /// As the other constructor, over an artefact the caller has already loaded and verified from
    /// <see cref="RouterEngineOptions.IndexDirectory"/> (so start-up does not read and checksum it twice).
    /// </summary>
    public RouterEngine(RouterEngineOptions options, IEmbeddingGenerator<string, Embedding<float>> embedder, RouterArtifact loaded)
        : this(options, embedder, (loaded ?? throw new ArgumentNullException(nameof(loaded))).Manifest.Model.Fingerprint, loaded)
    {
    }

    private RouterEngine(RouterEngineOptions options, IEmbeddingGenerator<string, Embedding<float>> embedder, string modelFingerprint, RouterArtifact? loaded)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _modelFingerprint = modelFingerprint ?? throw new ArgumentNullException(nameof(modelFingerprint));
        if (options.RouteHeadWeight is { } alpha && !(alpha is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), alpha, "RouteHeadWeight must be in [0, 1].");
        }

        var artifact = loaded ?? RouterArtifact.Load(options.IndexDirectory, modelFingerprint);
        _startSettings = artifact.RankingSettings;
        (_ranking, _routeHeadWeight) = options.Ranking is null && options.RouteHeadWeight is null && artifact.RankingSettings is { } carried
            ? (carried.ToOptions(), carried.RouteHeadWeight)
            : (options.Ranking ?? RankingOptions.Default, options.RouteHeadWeight);
        _snapshot = new RouterSnapshot(artifact, _ranking, _routeHeadWeight);
        _requests = new RequestLog(options.RequestTtl, options.RequestCapacity ?? RequestLog.DefaultCapacity);
        _outcomes = OutcomeStore.Open(
            options.OutcomeDatabase ?? RouterEngineOptions.DefaultOutcomeDatabase(options.IndexDirectory),
            new OutcomeStoreOptions
            {
                RequestLog = _requests,
                FindNeighbors = text => FindNeighbors(text, _ranking.K),
                Weighting = _ranking,
                IsKnownModel = model => Volatile.Read(ref _snapshot).Catalog.Models.Contains(model),
            });
        if (_ranking.TextModelWeight > 0)
        {
            _text = new TextModelTrainer(
                _outcomes,
                options.TextModel ?? new TextOutcomeModelOptions { Threads = Math.Max(1, Environment.ProcessorCount / 2) },
                options.TextModelMaxOutcomes,
                options.OnTextModelFitted);
            if (_outcomes.TextCount > 0)
            {
                TextModelReady = _text.RefitAsync();
            }
        }
    }

    /// <summary>Version of the index now serving.</summary>
    public string IndexVersion => Volatile.Read(ref _snapshot).Version;

    /// <summary>Utterances now indexed.</summary>
    public int UtteranceCount => Volatile.Read(ref _snapshot).UtteranceCount;

    /// <summary>The routes and models now serving.</summary>
    public RouteCatalog Catalog => Volatile.Read(ref _snapshot).Catalog;

    public RankingOptions RankingOptions => _ranking;

    /// <summary>
    /// The ranker settings the serving index carries (null: none). The engine ranks with
    /// <see cref="RankingOptions"/>, fixed when it starts; a reload does not change them.
    /// </summary>
    public RankingSettingsFile? IndexRankingSettings => Volatile.Read(ref _snapshot).Artifact.RankingSettings;

    /// <summary>
    /// True when the serving index carries other ranker settings than the one the engine started on:
    /// since a reload does not apply them, they wait for a restart (however many reloads came between).
    /// </summary>
    public bool IndexRankingSettingsChanged => !RankingSettingsFile.SameSettings(_startSettings, IndexRankingSettings);

    /// <summary>Outcomes stored so far.</summary>
    public long OutcomeCount => _outcomes.Count;

    /// <summary>Text outcomes the serving text outcome model was fitted on (0 = none serving yet, or turned off).</summary>
    public int TextModelOutcomes => _text?.Model?.OutcomeCount ?? 0;

    /// <summary>
    /// Refits the text outcome model on the stored text outcomes now and waits for it. The engine also
    /// does this by itself, in the background, as text outcomes accumulate; this is for tests and tools.
    /// </summary>
    public Task RefitTextModelAsync() => _text?.RefitAsync() ?? Task.CompletedTask;

    /// <summary>Completes when the start-up fit of the text outcome model is done (rankings before then go without it).</summary>
    public Task TextModelReady { get; } = Task.CompletedTask;

    /// <summary>Ranks the target models for a query, best first.</summary>
    /// <exception cref="RouterQueryException">Empty or over-long query, bad k or cost weight.</exception>
    /// <exception cref="UnknownModelException">A candidate or excluded model the catalogue does not know.</exception>
    public async Task<RouterDecision> RankAsync(RouteQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        int k = ValidateK(query.K ?? Volatile.Read(ref _snapshot).Ranker.Options.K);
        ValidateText(query.Text, "query");
        foreach (string turn in query.EarlierTurns)
        {
            ValidateText(turn, "earlier turn");
        }

        if (query.CostWeight is { } lambda && !(lambda >= 0 && double.IsFinite(lambda)))
        {
            throw new RouterQueryException(RouterQueryError.BadCostWeight, $"cost weight must be a finite number ≥ 0, got {lambda}");
        }

        var clock = Stopwatch.StartNew();
        float[] vector = await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false);
        var embedding = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();

        var snapshot = Volatile.Read(ref _snapshot);
        clock.Restart();
        var head = snapshot.Head;
        var neighbors = Search(snapshot, vector, head is null ? k : Math.Max(k, head.Parameters.K));
        var search = clock.Elapsed;
        IReadOnlyDictionary<string, double>? posterior = null;
        bool? abstain = null;
        if (head is not null)
        {
            var routes = neighbors.Select(n => (head.RouteIndex.GetValueOrDefault(n.Route, -1), n.Similarity)).Where(n => n.Item1 >= 0).ToList();
            var decision = head.Decide(vector, routes);
            (posterior, abstain) = (snapshot.BlendsHeadItself ? decision.Classifier : decision.Posterior, decision.Abstain);
        }

        var result = snapshot.Ranker.Rank(new RankingRequest(neighbors)
        {
            K = k,
            RoutePosterior = posterior,
            Abstain = abstain,
            Candidates = query.Candidates is { Count: > 0 } ? query.Candidates : null,
            Excluded = query.Excluded,
            CostWeight = query.CostWeight,
            Statistics = _outcomes,
            TextEstimates = _text?.Model is { } textModel ? textModel.Predict(query.Text, query.EarlierTurns, _ranking.ConversationDecay, textModel.Models) : null,
        });

        // With the text model on, the text is kept with the credits, so an outcome by request id teaches it
        // too; capped, because the request log holds up to RequestCapacity entries.
        string? remembered = _text is null ? null : Truncate(query.Text, MaxRememberedTextChars);
        string requestId = _requests.Remember(OutcomeCredits.FromRanking(result) with { QueryText = remembered });
        return new RouterDecision(requestId, result, snapshot.Version, embedding, search);
    }

    /// <summary>The k nearest utterances of a query with each target model's observed success on them.</summary>
    public async Task<IReadOnlyList<NeighborInspection>> InspectAsync(string query, int k, CancellationToken cancellationToken = default)
    {
        ValidateText(query, "query");
        k = ValidateK(k);
        var embedding = await _embedder.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        var snapshot = Volatile.Read(ref _snapshot);
        var neighbors = Search(snapshot, embedding[0].Vector.ToArray(), k);
        var table = snapshot.Ranker.Table;
        var list = new List<NeighborInspection>(neighbors.Count);
        foreach (var n in neighbors)
        {
            var models = new List<ModelSuccess>();
            foreach (var target in table.GetRoute(n.Route)?.Targets ?? [])
            {
                var counts = _outcomes.ForUtterance(n.Key, target.Model);
                var route = _outcomes.ForRoute(n.Route, target.Model);
                double routeRate = route.Smoothed(target.Prior, _ranking.RouteSmoothingStrength);
                models.Add(new ModelSuccess(target.Model, target.Prior, counts.Successes, counts.Trials,
                    counts.Smoothed(routeRate, _ranking.UtteranceSmoothingStrength)));
            }

            list.Add(new NeighborInspection(n, models));
        }

        return list;
    }

    /// <summary>Stores an outcome durably (returns once committed) and updates the live statistics.</summary>
    /// <exception cref="OutcomeRejectedException">Unknown request id, unknown model, score outside [0, 1], ….</exception>
    public Task<StoredOutcome> RecordOutcomeAsync(Outcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.QueryText is { } text)
        {
            ValidateText(text, "query");
        }

        return RecordAndRefitAsync(outcome, cancellationToken);
    }

    private async Task<StoredOutcome> RecordAndRefitAsync(Outcome outcome, CancellationToken cancellationToken)
    {
        var stored = await _outcomes.RecordAsync(outcome, cancellationToken).ConfigureAwait(false);
        if (stored.QueryText is not null)
        {
            _text?.RefitIfGrown();
        }

        return stored;
    }

    /// <summary>
    /// Appends utterances to the route file that holds the route (other content kept intact), then
    /// embeds and inserts them into the live index — no rebuild. The artefact on disk is rewritten
    /// so a restart serves them too.
    /// </summary>
    /// <exception cref="RouteEditException">Unknown route, duplicate or empty utterance.</exception>
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
                fresh = new RouterSnapshot(artifact, _ranking, _routeHeadWeight);
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

    public void Dispose()
    {
        _text?.Dispose();
        _outcomes.Dispose();
        _writeGate.Dispose();
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
                IndexBuilder.IndexVersionOf(catalog.ContentHash + IndexBuilder.SettingsFingerprint(snapshot.Artifact.RankingSettings), old.Model.Fingerprint, old.Hnsw),
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

    private async Task<float[]> EmbedQueryAsync(RouteQuery query, CancellationToken cancellationToken)
    {
        if (query.EarlierTurns.Count == 0)
        {
            var one = await _embedder.GenerateAsync([query.Text], cancellationToken: cancellationToken).ConfigureAwait(false);
            return one[0].Vector.ToArray();
        }

        var all = await _embedder.GenerateAsync([.. query.EarlierTurns, query.Text], cancellationToken: cancellationToken).ConfigureAwait(false);
        var earlier = new float[query.EarlierTurns.Count][];
        for (int i = 0; i < earlier.Length; i++)
        {
            earlier[i] = all[i].Vector.ToArray();
        }

        return ConversationEmbedding.Blend(all[^1].Vector.Span, earlier, _ranking.ConversationDecay);
    }

    private List<Neighbor> FindNeighbors(string text, int k)
    {
        var embedding = _embedder.GenerateAsync([text]).GetAwaiter().GetResult();
        return Search(Volatile.Read(ref _snapshot), embedding[0].Vector.ToArray(), k);
    }

    private List<Neighbor> Search(RouterSnapshot snapshot, float[] vector, int k)
    {
        snapshot.Gate.EnterReadLock();
        try
        {
            var hits = snapshot.Index.Search(vector, k, _options.EfSearch);
            var neighbors = new List<Neighbor>(hits.Count);
            foreach (var hit in hits)
            {
                var u = snapshot.Utterance(hit.Id);
                neighbors.Add(new Neighbor(hit.Id, u.Key, u.Route, u.Text, hit.Similarity));
            }

            return neighbors;
        }
        finally
        {
            snapshot.Gate.ExitReadLock();
        }
    }

    private static string Truncate(string text, int chars)
    {
        if (text.Length <= chars)
        {
            return text;
        }

        // never split a surrogate pair
        return text[..(char.IsHighSurrogate(text[chars - 1]) ? chars - 1 : chars)];
    }

    private int ValidateK(int k) => k >= 1 && k <= _options.MaxK
        ? k
        : throw new RouterQueryException(RouterQueryError.BadK, $"k must be in 1..{_options.MaxK}, got {k}");

    private void ValidateText(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new RouterQueryException(RouterQueryError.EmptyQuery, $"{what} is empty");
        }

        int bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > _options.MaxQueryBytes)
        {
            throw new RouterQueryException(RouterQueryError.QueryTooLong, $"{what} is {bytes} bytes, over the limit of {_options.MaxQueryBytes}");
        }
    }
}
