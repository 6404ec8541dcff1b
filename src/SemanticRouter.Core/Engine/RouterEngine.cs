using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;
using SemanticRouter.Artifacts;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;
using SemanticRouter.Settings;

namespace SemanticRouter.Engine;

/// <summary>
/// The router in one object: embed a query, search its neighbours, rank target models, remember the
/// decision for outcomes, learn from outcomes, add utterances, reload the index. Knows nothing of
/// gRPC or ASP.NET; the server and the CLI are thin shells over it.
/// </summary>
/// <remarks>
/// <para>Thread-safe: any number of concurrent calls; reload swaps the whole snapshot atomically and
/// in-flight calls finish on the snapshot they started with.</para>
/// <para>One file per concern: this one (start-up, the settings, what is serving), <c>.Ranking.cs</c>
/// (rank, inspect), <c>.Outcomes.cs</c> (credit, record, import), <c>.Index.cs</c> (add utterances,
/// reload), <c>.Contract.cs</c> (the engine as <c>ISemanticRouter</c>).</para>
/// </remarks>
public sealed partial class RouterEngine : IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly string _modelFingerprint;
    private readonly RouterEngineOptions _options;
    private readonly RankingSettingsFile? _startSettings;
    private readonly RequestLog _requests;
    private readonly IOutcomeStore _outcomes;
    private readonly OutcomeCrediting _crediting;
    private readonly TextModelTrainer? _text;

    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>The route files AddUtterances may edit: those of the index the engine started on, whatever a reload serves since.</summary>
    private readonly string _routesDirectory;
    private RouterSnapshot _snapshot;
    private int _disposed;

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
        var artifact = loaded ?? RouterArtifact.Load(options.IndexDirectory, modelFingerprint);
        // The settings the index carries when the engine starts are those it ranks with until it restarts
        // (a reload serves new routes, not new settings): resolved again per index, from the same inputs.
        _startSettings = artifact.RankingSettings;
        _routesDirectory = Path.GetFullPath(artifact.Manifest.Routes.Directory);
        _snapshot = new RouterSnapshot(artifact, ResolveSettings(artifact));
        if (_snapshot.Settings.QualityHead is { } qualityHead && qualityHead.Dimensions != artifact.Manifest.Model.Dimensions)
        {
            throw new RankingSettingsException("quality_head", $"{qualityHead.Dimensions} dimensions", $"does not fit the index's model ({artifact.Manifest.Model.Dimensions} dimensions)");
        }

        var ranking = _snapshot.Settings.Options;
        _requests = new RequestLog(options.RequestTtl, options.RequestCapacity ?? RequestLog.DefaultCapacity);
        _outcomes = options.OpenOutcomeStore?.Invoke()
            ?? SqliteOutcomeStore.Open(options.OutcomeDatabase ?? RouterEngineOptions.DefaultOutcomeDatabase(options.IndexDirectory));
        _crediting = new OutcomeCrediting(_requests, FindNeighborsAsync, IsKnownModel);
        if (ranking.TextModelWeight > 0)
        {
            _text = new TextModelTrainer(
                _outcomes,
                options.TextModel ?? new TextOutcomeModelOptions { Threads = Math.Max(1, Environment.ProcessorCount / 2) },
                options.TextModelMaxOutcomes,
                options.TextModelMaxTextChars,
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

    /// <summary>
    /// The settings the engine ranks with, resolved at start from the defaults, the settings the index
    /// carries (or <see cref="RouterEngineOptions.RankingSettings"/>), the route head's fit and
    /// <see cref="RouterEngineOptions.RankingOverrides"/> (<see cref="RankingSettingsResolver"/>): the options,
    /// the k of a request that gives none, how the route head takes part, and the warnings to log.
    /// </summary>
    public ResolvedRanking Settings => Volatile.Read(ref _snapshot).Settings;

    /// <summary>
    /// The ranker settings the serving index carries (null: none). The engine ranks with
    /// <see cref="Settings"/>, resolved when it starts; a reload does not change them.
    /// </summary>
    public RankingSettingsFile? IndexRankingSettings => Volatile.Read(ref _snapshot).Artifact.RankingSettings;

    /// <summary>
    /// True when the serving index carries other ranker settings than the one the engine started on:
    /// since a reload does not apply them, they wait for a restart (however many reloads came between).
    /// </summary>
    public bool IndexRankingSettingsChanged => !RankingSettingsFile.SameSettings(_startSettings, IndexRankingSettings);

    /// <summary>Outcomes stored so far.</summary>
    public long OutcomeCount => _outcomes.Count;

    /// <summary>Stops the text model's refits and closes the outcome store. Safe to call more than once (a
    /// host's container disposes a singleton once for each service type it was resolved as).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _text?.Dispose();
        _outcomes.Dispose();
        _writeGate.Dispose();
    }

    // The settings file and overrides the engine started with, with this index's route head and routes.
    private ResolvedRanking ResolveSettings(RouterArtifact artifact) => RankingSettingsResolver.Resolve(
        new IndexRankingContext(_startSettings, artifact.Head?.Parameters, [.. artifact.Catalog.Routes.Select(r => r.Name)]),
        _options.RankingSettings,
        _options.RankingOverrides);

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
